"""Exercise ex08: linear regression as a torch.nn.Module, saved and loaded as a state_dict.

The course's LinearRegression(torch.nn.Module) learns y = 2x from x = 1, 2, 3 and predicts
about 8 at x = 4; regression1train.py trains a model on (x, x^2, x^3) and saves it, and
regression2predict.py loads it in another program and predicts 34 for the input [2, 4, 8].
Write the four pieces below, then run `grade ex08` in this folder.
"""
import torch


class LinearRegression(torch.nn.Module):
    """y = x W^T + b: one torch.nn.Linear layer from in_features inputs to 1 output."""

    def __init__(self, in_features=1):
        """Make the layer and keep it as self.linear = torch.nn.Linear(in_features, 1): its
        parameters are then named linear.weight (shape 1 x in_features) and linear.bias
        (shape 1), which is what state_dict() saves."""
        super().__init__()
        raise NotImplementedError("write LinearRegression.__init__: see the docstring")

    def forward(self, x):
        """x: a float tensor of shape (n, in_features). Return self.linear(x), shape (n, 1)."""
        raise NotImplementedError("write LinearRegression.forward: see the docstring")


def train(model, x, y, epochs=40, learning_rate=0.1):
    """Train `model` in place on x (n x in_features) and y (n x 1) and return the list of the
    `epochs` losses, as Python floats.

    As in the notes: criterion = torch.nn.MSELoss() (the mean squared error) and
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate). Each epoch is exactly
    one step on all the data:
        loss = criterion(model(x), y)
        optimizer.zero_grad()   # backward() ADDS to .grad: clear last epoch's gradients
        loss.backward()
        optimizer.step()
    and losses[t] is the loss computed at epoch t (before that epoch's step): loss.item().
    """
    raise NotImplementedError("write train: see the docstring")


def train_and_save(x, y, path, epochs=40, learning_rate=0.1):
    """regression1train.py: make a LinearRegression with x.shape[1] inputs, train it, save its
    parameters to the file `path`, and return the trained model.

    Save the state_dict, after training: torch.save(model.state_dict(), path). It holds only
    tensors, so it can be loaded safely with torch.load(path, weights_only=True); the notes'
    torch.save(model, path) pickles the class itself, which safe loading refuses.
    """
    raise NotImplementedError("write train_and_save: see the docstring")


def load_and_predict(path, x):
    """regression2predict.py: make a fresh LinearRegression with x.shape[1] inputs, load the
    parameters saved in `path` into it, and return its predictions for x, shape (n, 1).

    model.load_state_dict(torch.load(path, weights_only=True)); wrap the prediction in
    `with torch.no_grad():`, since no gradient is needed.
    """
    raise NotImplementedError("write load_and_predict: see the docstring")


if __name__ == "__main__":
    import math

    x = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([[2.0], [4.0], [6.0]])
    model = LinearRegression()
    losses = train(model, x, y, epochs=200, learning_rate=0.1)
    print("loss", losses[0], "->", losses[-1])
    print("x = 4 ->", model(torch.tensor([[4.0]])).item())                # about 8

    t = torch.linspace(-math.pi, math.pi, 2000).unsqueeze(-1)
    features = t.pow(torch.tensor([1, 2, 3]))                            # (x, x^2, x^3)
    train_and_save(features, 0 + 1 * t + 2 * t ** 2 + 3 * t ** 3, "model.pt",
                   epochs=2000, learning_rate=0.005)
    print("[2, 4, 8] ->", load_and_predict("model.pt", torch.tensor([[2.0, 4.0, 8.0]])))  # 34
