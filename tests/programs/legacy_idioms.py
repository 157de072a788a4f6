"""Idioms of older and boilerplate-heavy PyTorch scripts: flags, devices, legacy constructors."""
import argparse

import torch
import torch.backends.cudnn as cudnn
from torch.autograd import Variable

parser = argparse.ArgumentParser(description="legacy idioms")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--no-cuda", action="store_true", default=False)
args = parser.parse_args()
use_cuda = not args.no_cuda and torch.cuda.is_available()
torch.manual_seed(args.seed)
cudnn.benchmark = True
torch.backends.cudnn.deterministic = True
device = torch.device("cuda" if use_cuda else "cpu")
if torch.backends.mps.is_available():
    device = torch.device("mps")
print(device, torch.__version__ >= "1.6", torch.__version__ < "9")
major, minor = (int(p) for p in torch.__version__.split(".")[:2])
print(major >= 2, minor >= 0)

ft = torch.FloatTensor([1, 2, 3])
lt = torch.LongTensor([[1, 2], [3, 4]])
print(ft, lt, ft.type(), lt.type(), isinstance(ft, torch.FloatTensor))
print(torch.FloatTensor(2, 3).shape, torch.LongTensor(4).dtype, torch.Tensor([1, 2]).dtype)
print(torch.ByteTensor([1, 0]), torch.DoubleTensor([0.5]), torch.IntTensor([7]))
x = Variable(torch.randn(3, 2), requires_grad=True)
y = Variable(torch.randn(3, 2))
loss = ((x - y) ** 2).mean()
loss.backward()
print(loss.data, x.grad.data)
print(x.data.numpy().shape, loss.item() > 0, torch.is_tensor(x), torch.numel(x))
model = torch.nn.Linear(2, 1).to(device)
print(next(model.parameters()).device, torch.typename(x))
compiled = torch.compile(model)
print(compiled(x).shape)
