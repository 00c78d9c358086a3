# train() uses a tiny learning rate of its own instead of the one it is given: the loss still
# falls steadily when the epochs run out, far from the fit. The student must read that it was
# converging too slowly, not that a formula is wrong.
# expect-fail: test_notes_line_predicts_8_at_x_4, test_train_returns_falling_losses
# expect-next-step: still falling when the run ended
# expect-next-step: larger learning rate
import torch


class LinearRegression(torch.nn.Module):
    def __init__(self, in_features=1):
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)


def train(model, x, y, epochs=40, learning_rate=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)   # "small steps are safe"
    losses = []
    for _ in range(epochs):
        loss = torch.nn.functional.mse_loss(model(x), y)
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
