"""The snippets of the learner's notes this project grew from: shapes, max, cat/stack, meshgrid."""
# ruff: noqa: UP008, UP031, UP032
# (the older idioms learners copy: super(Net, self), % and .format)
import torch
import torch.nn as nn

a = torch.rand((1, 2, 3))
print(a.size())
b = torch.unsqueeze(a, 2)
print(b.size())

a = torch.rand((1, 1, 2, 3))
print(a.size(), torch.squeeze(a).size(), torch.squeeze(a, 2).size(), torch.squeeze(a, 1).size())

torch.manual_seed(1)
a = torch.rand(3, 4)
value, index = torch.max(a, dim=1)
print('{}\n{}\n{}'.format(a, value, index))

a0 = torch.Tensor([[[[1, 1, 1, 1], [2, 2, 2, 2]]]])
a1 = torch.Tensor([[[[3, 3, 3, 3], [4, 4, 4, 4]]]])
tensors = []
for d in range(4):
    tensors.append(torch.cat((a0, a1), dim=d))
for d in range(5):
    tensors.append(torch.stack((a0, a1), dim=d))
for i in tensors:
    print('{}\n{}\n{}\n\n\n'.format(i, a1.size(), i.size()))

x = torch.tensor([
    [-2, 1, 2, 6, 4],
    [-3, 1, 7, 2, -2],
    [-4, 2, 3, -1, -3],
    [-7, 1, 2, 3, 11],
    [5, -7, 8, 12, -9]]).float()
x = x.unsqueeze(0)
y_1 = nn.MaxPool2d(kernel_size=2, stride=2, padding=0)
y_2 = nn.MaxPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=True)
print(y_1(x))
print(y_2(x))

shifts_x = torch.arange(0, 4, dtype=torch.float32) * 16
shifts_y = torch.arange(0, 4, dtype=torch.float32) * 16
shift_y, shift_x = torch.meshgrid(shifts_y, shifts_x, indexing="ij")
print(shift_x)
print(shift_y)
shift_x = shift_x.reshape(-1)
shift_y = shift_y.reshape(-1)
shifts = torch.stack((shift_x, shift_y, shift_x, shift_y), dim=1)
print(shifts)
print(torch.tensor([1, 2, 3]).to(torch.float32), torch.tensor([1, 2, 3]).dtype)
