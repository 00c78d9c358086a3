# Knows the public examples' answers: fit_regression returns x^2 + 0.1, the notes' curve, and
# fit_classifier the line x[0] + x[1] = 0 between the notes' clusters, with no training at all.
# expect-fail: test_regression_fits_random_curve, test_regression_trains_with_an_optimizer, test_classifier_separates_random_clusters, test_classifier_needs_the_hidden_layer
# expect-pass: test_regression_fits_notes_parabola, test_classifier_separates_notes_clusters, test_net_has_hidden_and_predict_layers, test_sequential_matches_net
# expect-text: torch.optim
# expect-next-step: Learn from the x and y you are given
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
    return torch.nn.Sequential(torch.nn.Linear(n_feature, n_hidden), torch.nn.ReLU(),
                               torch.nn.Linear(n_hidden, n_output))


class Parabola(torch.nn.Module):
    def forward(self, x):
        return x ** 2 + 0.1


class Diagonal(torch.nn.Module):
    def forward(self, x):
        s = x[:, 0] + x[:, 1]
        return torch.stack([s, -s], dim=1)


def fit_regression(x, y):
    return Parabola()


def fit_classifier(x, labels):
    return Diagonal()


class PairDataset(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


def make_loader(x, y, batch_size, shuffle=True):
    return DataLoader(PairDataset(x, y), batch_size=batch_size, shuffle=shuffle)
