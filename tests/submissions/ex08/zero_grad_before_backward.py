# Clears each parameter's gradient at the top of every epoch, before the first backward() has
# made one: p.grad is None then, and p.grad.data raises AttributeError: 'NoneType' object has no
# attribute 'data'. The student must read why, not only the symptom.
# expect-fail: test_notes_line_predicts_8_at_x_4, test_train_returns_falling_losses
# expect-next-step: is None
# expect-next-step: before the first backward()
import torch


class LinearRegression(torch.nn.Module):
    def __init__(self, in_features=1):
        super().__init__()
        self.linear = torch.nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)


def train(model, x, y, epochs=40, learning_rate=0.1):
    losses = []
    for _ in range(epochs):
        for p in model.parameters():
            p.grad.data.zero_()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= learning_rate * p.grad
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
