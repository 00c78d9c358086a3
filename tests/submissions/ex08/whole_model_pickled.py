# Saves the whole model as the notes' regression1train.py does, torch.save(model, path), and loads
# it with weights_only=False: it works for the student, but the file is a pickle of their class,
# which safe loading (weights_only=True) refuses to run.
# expect-fail: test_saved_file_is_a_state_dict, test_state_dict_of_random_features
# expect-pass: test_notes_line_predicts_8_at_x_4, test_reloaded_model_predicts_the_same, test_notes_cubic_predicts_34, test_random_line_prediction, test_each_epoch_is_one_sgd_step
# expect-text: weights_only=True
# expect-next-step: torch.save(model.state_dict(), path)
import torch


class LinearRegression(torch.nn.Module):
    def __init__(self, in_features=1):
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)


def train(model, x, y, epochs=40, learning_rate=0.1):
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_and_save(x, y, path, epochs=40, learning_rate=0.1):
    model = LinearRegression(x.shape[1])
    train(model, x, y, epochs, learning_rate)
    torch.save(model, path)
    return model


def load_and_predict(path, x):
    model = torch.load(path, weights_only=False)
    with torch.no_grad():
        return model(x)
