# A hand-written update() that changes the parameter in place and returns nothing, used as the
# new value (p.data = update(p, lr)): TypeError: Variable data has to be a tensor, but got
# NoneType. The student must read that their update() returned None.
# expect-fail: test_notes_line_predicts_8_at_x_4, test_train_returns_falling_losses
# expect-next-step: update() returned None
# expect-next-step: has no `return`
import torch


class LinearRegression(torch.nn.Module):
    def __init__(self, in_features=1):
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)


def update(p, learning_rate):
    p.data -= learning_rate * p.grad.data


def train(model, x, y, epochs=40, learning_rate=0.1):
    criterion = torch.nn.MSELoss()
    losses = []
    for _ in range(epochs):
        model.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        for p in model.parameters():
            p.data = update(p, learning_rate)
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
