"""Fit sin(x) with a polynomial: the official nn.Linear version with SGD, then nn.Linear on
polynomial features with LBFGS (the pytorch/examples regression idea)."""
import math

import torch

torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 200)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
print(xx.shape)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
learning_rate = 1e-5
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
for t in range(300):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 60 == 59:
        print(t, f"{loss.item():.4f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item():.3f} + {linear_layer.weight[:, 0].item():.3f} x + "
      f"{linear_layer.weight[:, 1].item():.3f} x^2 + {linear_layer.weight[:, 2].item():.3f} x^3")

POLY_DEGREE = 4
# float64: LBFGS amplifies float32 rounding differences between summation orders.
W_target = torch.randn(POLY_DEGREE, 1, dtype=torch.float64) * 5
b_target = torch.randn(1, dtype=torch.float64) * 5


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    result = "y = "
    for i, w in enumerate(W):
        result += f"{w:+.2f} x^{i + 1} "
    result += f"{b[0]:+.2f}"
    return result


def get_batch(batch_size=32):
    random = torch.randn(batch_size, dtype=torch.float64)
    x = make_features(random)
    return x, f(x)


fc = torch.nn.Linear(W_target.size(0), 1).double()
batch_x, batch_y = get_batch(64)
optimizer = torch.optim.LBFGS(fc.parameters(), lr=1, max_iter=10, history_size=10,
                              line_search_fn="strong_wolfe")
for step in range(5):
    def closure():
        optimizer.zero_grad()
        output = torch.nn.functional.smooth_l1_loss(fc(batch_x), batch_y)
        output.backward()
        return output
    loss = optimizer.step(closure)
    print(f"step {step}: loss {loss.item():.4f}")
print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))
