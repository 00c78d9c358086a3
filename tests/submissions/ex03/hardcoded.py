# Knows the notes' answer (0, 1, 2, 3) and returns it without fitting anything.
# expect-fail: test_numpy_fits_random_cubic, test_torch_fits_random_cubic, test_fit_torch_trains_with_autograd
# expect-pass: test_numpy_fits_notes_cubic, test_torch_fits_notes_cubic, test_fits_return_four_floats, test_polynomial3_has_parameters_a_b_c_d, test_polynomial3_forward_is_the_cubic, test_polynomial3_state_dict_round_trip
# expect-text: took 0 steps of a torch.optim optimizer
# expect-next-step: whatever the data
import torch


def fit_numpy(x, y):
    return (0.0, 1.0, 2.0, 3.0)


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3


def fit_torch(x, y):
    return (0.0, 1.0, 2.0, 3.0)
