"""A first look at Ember: tensors and autograd, written exactly as with PyTorch."""

import ember as torch

x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = (x * x + 2 * x).sum()
y.backward()
print("x.grad =", x.grad)
