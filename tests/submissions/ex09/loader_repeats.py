# Draws each batch's samples at random with replacement (RandomSampler(replacement=True)): as many
# samples per epoch as there are, but some come twice and others never.
# expect-fail: test_loader_yields_notes_batches, test_loader_yields_every_sample_once
# expect-pass: test_dataset_gives_pairs, test_regression_fits_notes_parabola, test_sequential_matches_net
# expect-text: exactly once per epoch
# expect-next-step: every sample once per epoch
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, RandomSampler


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super().__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.predict = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        return self.predict(F.relu(self.hidden(x)))


def sequential_net(n_feature, n_hidden, n_output):
    return torch.nn.Sequential(torch.nn.Linear(n_feature, n_hidden), torch.nn.ReLU(),
                               torch.nn.Linear(n_hidden, n_output))


def train(net, loss_func, x, y, steps=1500, lr=0.02):
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        loss = loss_func(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return net


def fit_regression(x, y):
    return train(Net(1, 20, 1), torch.nn.MSELoss(), x, y)


def fit_classifier(x, labels):
    return train(Net(2, 20, 2), torch.nn.CrossEntropyLoss(), x, labels, steps=800)


class PairDataset(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def make_loader(x, y, batch_size, shuffle=True):
    dataset = PairDataset(x, y)
    return DataLoader(dataset, batch_size=batch_size,
                      sampler=RandomSampler(dataset, replacement=True))
