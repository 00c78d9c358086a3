# Uses torch.nn.MSELoss(reduction='sum') as torchRegression4nn.py does: the gradient is n times
# the mean's, so at the learning rates of this exercise every step overshoots.
# expect-fail: test_each_epoch_is_one_sgd_step, test_notes_line_predicts_8_at_x_4
# expect-pass: test_linear_regression_is_one_linear_layer
# expect-text: mean squared error
# expect-next-step: reduction='sum'
import torch


class LinearRegression(torch.nn.Module):
    def __init__(self, in_features=1):
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)


def train(model, x, y, epochs=40, learning_rate=0.1):
    criterion = torch.nn.MSELoss(reduction='sum')
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
    model = LinearRegression(x.shape[1])
    model.load_state_dict(torch.load(path, weights_only=True))
    with torch.no_grad():
        return model(x)
