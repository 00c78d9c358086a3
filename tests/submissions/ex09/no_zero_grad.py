# The notes' loop without optimizer.zero_grad(): torch adds each step's gradients to the last
# ones, so every step moves by the sum of all gradients so far and the fits never settle.
# expect-fail: test_regression_fits_notes_parabola, test_regression_fits_random_curve, test_classifier_needs_the_hidden_layer
# expect-pass: test_net_has_hidden_and_predict_layers, test_sequential_matches_net, test_loader_yields_notes_batches
# expect-text: zero_grad
# expect-next-step: optimizer.zero_grad()
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super().__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.predict = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        return self.predict(F.relu(self.hidden(x)))


def sequential_net(n_feature, n_hidden, n_output):
    return torch.nn.Sequential(
        torch.nn.Linear(n_feature, n_hidden),
        torch.nn.ReLU(),
        torch.nn.Linear(n_hidden, n_output),
    )


def train(net, loss_func, x, y, steps, learning_rate):
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)
    for _ in range(steps):
        loss = loss_func(net(x), y)
        loss.backward()
        optimizer.step()
    return net


def fit_regression(x, y):
    return train(Net(1, 20, 1), torch.nn.MSELoss(), x, y, steps=1500, learning_rate=0.02)


def fit_classifier(x, labels):
    return train(Net(2, 20, 2), torch.nn.CrossEntropyLoss(), x, labels, steps=800,
                 learning_rate=0.02)


class PairDataset(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def make_loader(x, y, batch_size, shuffle=True):
    return DataLoader(PairDataset(x, y), batch_size=batch_size, shuffle=shuffle)
