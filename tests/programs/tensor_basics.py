"""Tensor basics, in the idiom of the official "Tensors" tutorial."""
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
x_np = torch.from_numpy(np.array(data))
print(x_data, x_np)
x_ones = torch.ones_like(x_data)
print(f"Ones Tensor: \n {x_ones} \n")
x_rand = torch.rand_like(x_data, dtype=torch.float)
print(x_rand.shape, x_rand.dtype)

shape = (2, 3,)
print(torch.ones(shape), torch.zeros(shape), torch.full(shape, 7), torch.eye(3))
tensor = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
y3 = torch.matmul(tensor, tensor.T)
print(y1, torch.equal(y1, y2), torch.equal(y2, y3))
z1 = tensor * tensor
print(z1, tensor.mul(tensor))
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
tensor.add_(5)
print(tensor)

t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(f"t: {t}", f"n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}", f"n: {n}")

a = torch.tensor([[1.5, -2.0, 3.25], [0.0, 4.0, -1.0]])
print(a.mean(), a.std(), a.max(), a.argmin(), a.abs().sum(dim=0), a.clamp(min=0))
print(a.view(-1), a.view(3, 2), a.t(), a.transpose(0, 1).contiguous().shape)
print(a > 0, (a > 0).sum(), a[a > 0], a.to(torch.int64), a.long().dtype)
print(torch.where(a > 0, a, torch.zeros_like(a)), a.argmax(dim=1), a.sort(dim=1).values)
print(a.unsqueeze(0).shape, a.flatten(), torch.tensor(3.5), torch.tensor([True, False]))
print(torch.linspace(0, 1, 5), torch.arange(0, 10, 3), 1e-8 * torch.ones(2), torch.tensor([1e10, 1.0]))
