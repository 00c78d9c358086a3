"""Exercise ex09: a net with a hidden layer, built two ways, trained on a curve and on two
classes, and fed in mini-batches by a DataLoader.

From Morvan's notebook in the course notes: "First NN" (Net(n_feature, n_hidden, n_output) on
y = x^2 + noise, then the classification task), "build networks" (torch.nn.Sequential, the
second way to build the same net) and "batch train" (Dataset and DataLoader).
Write the pieces below, then run `grade ex09` in this folder.
"""
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class Net(torch.nn.Module):
    """Morvan's net: input -> Linear -> ReLU -> Linear -> output."""

    def __init__(self, n_feature, n_hidden, n_output):
        """Call super().__init__() first, then make the two layers, named as in the notes:
            self.hidden  = torch.nn.Linear(n_feature, n_hidden)
            self.predict = torch.nn.Linear(n_hidden, n_output)
        Layers assigned as attributes of a Module are registered: their weights and biases
        show up in net.parameters(), which is what an optimizer is given."""
        super().__init__()
        raise NotImplementedError("write Net.__init__: see the docstring")

    def forward(self, x):
        """x has shape (batch, n_feature); return predict(relu(hidden(x))), shape
        (batch, n_output). F.relu(t) is max(t, 0) elementwise: without it the two layers
        would be one linear map, and no better than a single Linear layer."""
        raise NotImplementedError("write Net.forward: see the docstring")


def sequential_net(n_feature, n_hidden, n_output):
    """The same net, built the second way: return a torch.nn.Sequential of a Linear, a ReLU
    and a Linear layer. Given the same weights it computes exactly what Net computes."""
    raise NotImplementedError("write sequential_net: see the docstring")


def fit_regression(x, y):
    """Train a Net(1, n_hidden, 1) on x, y (float32 tensors of shape (n, 1)) to minimise the
    mean squared error torch.nn.MSELoss()(net(x), y), and return the trained net.

    The notes' loop, one step per pass over all the points:
        prediction = net(x)
        loss = loss_func(prediction, y)
        optimizer.zero_grad()    # torch adds gradients up: clear last step's
        loss.backward()          # gradients of the loss for every parameter
        optimizer.step()         # move the parameters against them
    The notes use torch.optim.SGD(net.parameters(), lr=0.2) for 100 steps; it is also tried
    on other curves and ranges, where 20 hidden units and torch.optim.Adam(lr=0.02) for 1500
    steps are a safer choice. The grader judges the returned net's predictions.
    """
    raise NotImplementedError("write fit_regression: see the docstring")


def fit_classifier(x, labels):
    """Train a Net(2, n_hidden, 2) to tell two classes apart and return the trained net.

    x: float32 tensor (n, 2), one point per row; labels: int64 tensor (n,) of 0s and 1s.
    The net outputs one score per class, shape (n, 2); the predicted class is the column with
    the larger score (argmax). Train with torch.nn.CrossEntropyLoss()(net(x), labels), which
    takes those scores and the class numbers, in the same loop as fit_regression.
    """
    raise NotImplementedError("write fit_classifier: see the docstring")


class PairDataset(Dataset):
    """The samples (x[i], y[i]) as a torch Dataset: what a DataLoader draws batches from (the
    notes use torch's ready-made TensorDataset; here you write one)."""

    def __init__(self, x, y):
        """Keep the two tensors; x and y have the same length."""
        raise NotImplementedError("write PairDataset.__init__: see the docstring")

    def __len__(self):
        """The number of samples."""
        raise NotImplementedError("write PairDataset.__len__: see the docstring")

    def __getitem__(self, i):
        """Sample i: the pair (x[i], y[i])."""
        raise NotImplementedError("write PairDataset.__getitem__: see the docstring")


def make_loader(x, y, batch_size, shuffle=True):
    """A torch.utils.data.DataLoader over PairDataset(x, y) that yields (batch_x, batch_y)
    pairs of batch_size samples, shuffled anew each epoch when shuffle is True. Looping over
    it once is one epoch: every sample exactly once; when batch_size does not divide the
    number of samples, the last batch is smaller. Leave num_workers at 0 (the grader runs your
    code in a sandbox with one process)."""
    raise NotImplementedError("write make_loader: see the docstring")


if __name__ == "__main__":
    x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
    y = x.pow(2) + 0.2 * torch.rand(x.size())
    net = fit_regression(x, y)
    print("regression MSE:", torch.nn.functional.mse_loss(net(x), y).item())
    n_data = torch.ones(100, 2)
    points = torch.cat([torch.normal(2 * n_data, 1), torch.normal(-2 * n_data, 1)])
    labels = torch.cat([torch.zeros(100), torch.ones(100)]).long()
    net = fit_classifier(points, labels)
    print("accuracy:", (net(points).argmax(dim=1) == labels).float().mean().item())
    for epoch in range(3):
        for step, (batch_x, batch_y) in enumerate(make_loader(torch.linspace(1, 10, 10),
                                                              torch.linspace(10, 1, 10), 5)):
            print("epoch", epoch, "step", step, "batch x", batch_x.numpy(), "batch y",
                  batch_y.numpy())
