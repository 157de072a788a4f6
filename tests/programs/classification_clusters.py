"""Classify two Gaussian clusters with a one-hidden-layer net (the tutorial series' classifier)."""
# ruff: noqa: UP008, UP031
# (the older idioms learners copy: super(Net, self) and % formatting)
import torch
import torch.nn.functional as F

torch.manual_seed(1)
n_data = torch.ones(100, 2)
x0 = torch.normal(2 * n_data, 1)        # class 0 around (2, 2)
y0 = torch.zeros(100)
x1 = torch.normal(-2 * n_data, 1)       # class 1 around (-2, -2)
y1 = torch.ones(100)
x = torch.cat((x0, x1), 0).type(torch.FloatTensor)
y = torch.cat((y0, y1), ).type(torch.LongTensor)
print(x.shape, x.dtype, y.shape, y.dtype)


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.out = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return self.out(x)


net = Net(n_feature=2, n_hidden=10, n_output=2)
print(net)
optimizer = torch.optim.SGD(net.parameters(), lr=0.02)
loss_func = torch.nn.CrossEntropyLoss()
for t in range(60):
    out = net(x)
    loss = loss_func(out, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 10 == 0 or t == 59:
        prediction = torch.max(F.softmax(out, dim=1), 1)[1]
        pred_y = prediction.data.numpy().squeeze()
        target_y = y.data.numpy()
        accuracy = float((pred_y == target_y).astype(int).sum()) / float(target_y.size)
        print("step %d loss %.4f accuracy %.2f" % (t, loss.item(), accuracy))

# the quick way to build the same net
net2 = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.ReLU(), torch.nn.Linear(10, 2))
print(net2)
print(sum(p.numel() for p in net2.parameters()), F.softmax(net2(x[:2]), dim=1).sum(1))
