"""From raw tensors to nn.Module and optim (the "What is torch.nn really?" tutorial's arc)."""
import math

import torch
import torch.nn.functional as F
from torch import nn, optim

torch.manual_seed(3)
n, d, c = 64, 20, 4
x_train = torch.randn(n, d)
y_train = torch.randint(0, c, (n,))
bs, lr, epochs = 16, 0.5, 2

weights = torch.randn(d, c) / math.sqrt(d)
weights.requires_grad_()
bias = torch.zeros(c, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[torch.arange(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


loss_func = nll
xb, yb = x_train[0:bs], y_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)
print(f"{loss_func(preds, yb).item():.4f}", accuracy(preds, yb))

for epoch in range(epochs):  # noqa: B007 - the tutorial's loop
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb, yb = x_train[start_i:end_i], y_train[start_i:end_i]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(f"{loss_func(model(xb), yb).item():.4f}", accuracy(model(xb), yb))
print(f"{F.cross_entropy(xb @ weights + bias, yb).item():.4f}")


class MnistLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(d, c) / math.sqrt(d))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, xb):
        return xb @ self.weights + self.bias


def get_model():
    model = MnistLogistic()
    return model, optim.SGD(model.parameters(), lr=lr)


model, opt = get_model()
for epoch in range(epochs):
    model.train()
    for i in range((n - 1) // bs + 1):
        xb = x_train[i * bs: i * bs + bs]
        yb = y_train[i * bs: i * bs + bs]
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    with torch.no_grad():
        valid_loss = sum(F.cross_entropy(model(x_train[j:j + bs]), y_train[j:j + bs])
                         for j in range(0, n, bs))
    print(epoch, f"{valid_loss.item() / (n // bs):.4f}")
