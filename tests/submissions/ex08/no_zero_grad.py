# train() never clears the gradients: each step uses the sum of all gradients so far, so the
# descent overshoots and swings instead of following plain SGD.
# expect-fail: test_each_epoch_is_one_sgd_step
# expect-pass: test_linear_regression_is_one_linear_layer, test_saved_file_is_a_state_dict, test_reloaded_model_predicts_the_same
# expect-text: zero_grad
# expect-next-step: never clears the gradients
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
    model = LinearRegression(x.shape[1])
    model.load_state_dict(torch.load(path, weights_only=True))
    with torch.no_grad():
        return model(x)
