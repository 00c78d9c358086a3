# train_and_save saves the state_dict of the fresh model, then trains it: the file holds the
# random starting weights, and the loaded model predicts nothing useful.
# expect-fail: test_notes_line_predicts_8_at_x_4, test_saved_file_is_a_state_dict, test_reloaded_model_predicts_the_same, test_notes_cubic_predicts_34, test_random_line_prediction, test_state_dict_of_random_features
# expect-pass: test_linear_regression_is_one_linear_layer, test_train_returns_falling_losses, test_each_epoch_is_one_sgd_step
# expect-text: save after training
# expect-next-step: saves the model before it trains it
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
    torch.save(model.state_dict(), path)
    train(model, x, y, epochs, learning_rate)
    return model


def load_and_predict(path, x):
    model = LinearRegression(x.shape[1])
    model.load_state_dict(torch.load(path, weights_only=True))
    with torch.no_grad():
        return model(x)
