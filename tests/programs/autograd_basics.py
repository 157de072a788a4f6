"""Autograd basics (the official "Automatic Differentiation" tutorial's idioms)."""
import torch
from torch.autograd import Variable

x = torch.ones(5)
y = torch.zeros(3)
w = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [0.7, -0.8, 0.9], [0.0, 0.1, 0.2],
                  [-0.3, 0.4, 0.5]], requires_grad=True)
b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn.name()}")
print(f"Gradient function for loss = {loss.grad_fn.name()}")
loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z_det = (torch.matmul(x, w) + b).detach()
print(z_det.requires_grad)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

v = Variable(torch.tensor([2.0, 3.0]), requires_grad=True)
f = (v ** 3).sum() + v.prod()
(g,) = torch.autograd.grad(f, v, create_graph=True)
print(g, g.grad_fn is not None)
(h,) = torch.autograd.grad(g.sum(), v)
print(h)
print(v.data, v.data.numpy(), v.detach().requires_grad, v.is_leaf, (v * 2).is_leaf)
