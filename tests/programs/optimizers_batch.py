"""Mini-batch training and four optimisers on the same regression (the tutorial series'
"batch training" and "optimizer comparison" steps)."""
# ruff: noqa: UP031
import torch
import torch.nn.functional as F
import torch.utils.data as Data

torch.manual_seed(1)
LR, BATCH_SIZE, EPOCH = 0.01, 32, 4

# batch training: TensorDataset + DataLoader, five numbers per batch
x = torch.linspace(1, 10, 10)
y = torch.linspace(10, 1, 10)
torch_dataset = Data.TensorDataset(x, y)
loader = Data.DataLoader(dataset=torch_dataset, batch_size=5, shuffle=True, num_workers=0)
for epoch in range(2):
    for step, (batch_x, batch_y) in enumerate(loader):
        print("Epoch: ", epoch, "| Step: ", step, "| batch x: ", batch_x.numpy(),
              "| batch y: ", batch_y.numpy())

x = torch.unsqueeze(torch.linspace(-1, 1, 256), dim=1)
y = x.pow(2) + 0.1 * torch.normal(torch.zeros(*x.size()))
loader = Data.DataLoader(dataset=Data.TensorDataset(x, y), batch_size=BATCH_SIZE, shuffle=True)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(1, 20)
        self.predict = torch.nn.Linear(20, 1)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return self.predict(x)


net_SGD, net_Momentum, net_RMSprop, net_Adam = Net(), Net(), Net(), Net()
nets = [net_SGD, net_Momentum, net_RMSprop, net_Adam]
opt_SGD = torch.optim.SGD(net_SGD.parameters(), lr=LR)
opt_Momentum = torch.optim.SGD(net_Momentum.parameters(), lr=LR, momentum=0.8)
opt_RMSprop = torch.optim.RMSprop(net_RMSprop.parameters(), lr=LR, alpha=0.9)
opt_Adam = torch.optim.Adam(net_Adam.parameters(), lr=LR, betas=(0.9, 0.99))
optimizers = [opt_SGD, opt_Momentum, opt_RMSprop, opt_Adam]
loss_func = torch.nn.MSELoss()
losses_his = [[], [], [], []]
for epoch in range(EPOCH):
    for b_x, b_y in loader:
        for net, opt, l_his in zip(nets, optimizers, losses_his):
            output = net(b_x)
            loss = loss_func(output, b_y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            l_his.append(loss.data.numpy())
    print("epoch %d:" % epoch, " ".join("%.4f" % float(h[-1]) for h in losses_his))
for name, his in zip(["SGD", "Momentum", "RMSprop", "Adam"], losses_his):
    print("%-8s mean loss %.4f over %d steps" % (name, sum(float(v) for v in his) / len(his),
                                                 len(his)))
