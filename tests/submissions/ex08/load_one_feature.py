# load_and_predict always builds LinearRegression() with one input, whatever x.shape[1] is: the
# notes' line works, but weights saved from three features do not fit.
# expect-fail: test_notes_cubic_predicts_34, test_state_dict_of_random_features
# expect-pass: test_notes_line_predicts_8_at_x_4, test_saved_file_is_a_state_dict, test_reloaded_model_predicts_the_same, test_random_line_prediction
# expect-text: size mismatch
# expect-next-step: x.shape[1] = 3 inputs
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
    torch.save(model.state_dict(), path)
    return model


def load_and_predict(path, x):
    model = LinearRegression()
    model.load_state_dict(torch.load(path, weights_only=True))
    with torch.no_grad():
        return model(x)
