# sequential_net leaves out the ReLU: Linear then Linear, one linear map, not the net that Net is.
# expect-fail: test_sequential_matches_net, test_sequential_matches_net_random_sizes
# expect-pass: test_net_has_hidden_and_predict_layers, test_regression_fits_notes_parabola, test_loader_yields_notes_batches
# expect-text: the same ReLU between them
# expect-next-step: the same ReLU between them
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
    return torch.nn.Sequential(torch.nn.Linear(n_feature, n_hidden),
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
    return DataLoader(PairDataset(x, y), batch_size=batch_size, shuffle=shuffle)
