# The DataLoader drops the last, shorter batch (drop_last=True): right for the notes' 10 samples
# in batches of 5, but with any other count some samples never come in an epoch.
# expect-fail: test_loader_yields_every_sample_once
# expect-pass: test_loader_yields_notes_batches, test_dataset_gives_pairs, test_loader_shuffles_every_epoch
# expect-text: drop_last=False
# expect-next-step: drop_last=False
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
        optimizer.zero_grad()
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
    return DataLoader(PairDataset(x, y), batch_size=batch_size, shuffle=shuffle,
                      drop_last=True)
