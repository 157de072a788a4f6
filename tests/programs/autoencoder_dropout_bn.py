"""Autoencoder, dropout and batch-norm steps of the tutorial series on synthetic data."""
# ruff: noqa: UP008, UP031
import torch
import torch.nn as nn
import torch.utils.data as Data

torch.manual_seed(2)
N = 48
data = torch.rand(N, 16)
loader = Data.DataLoader(Data.TensorDataset(data, data), batch_size=12, shuffle=True)


class AutoEncoder(nn.Module):
    def __init__(self):
        super(AutoEncoder, self).__init__()
        self.encoder = nn.Sequential(nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 16), nn.Sigmoid())

    def forward(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return encoded, decoded


autoencoder = AutoEncoder()
optimizer = torch.optim.Adam(autoencoder.parameters(), lr=0.005)
loss_func = nn.MSELoss()
for epoch in range(3):
    for step, (b_x, b_y) in enumerate(loader):
        encoded, decoded = autoencoder(b_x)
        loss = loss_func(decoded, b_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == 0:
            print("Epoch:", epoch, "| train loss: %.4f" % loss.data.numpy())
print(autoencoder(data[:2])[0].detach())

# dropout: an over-fitting net next to a dropout one, compared in eval mode
x = torch.unsqueeze(torch.linspace(-1, 1, 20), 1)
y = x + 0.3 * torch.normal(torch.zeros(20, 1), torch.ones(20, 1))
net_overfitting = nn.Sequential(nn.Linear(1, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                                nn.Linear(64, 1))
net_dropped = nn.Sequential(nn.Linear(1, 64), nn.Dropout(0.5), nn.ReLU(), nn.Linear(64, 64),
                            nn.Dropout(0.5), nn.ReLU(), nn.Linear(64, 1))
opt_ofit = torch.optim.Adam(net_overfitting.parameters(), lr=0.01)
opt_drop = torch.optim.Adam(net_dropped.parameters(), lr=0.01)
for _ in range(30):
    for net, opt in ((net_overfitting, opt_ofit), (net_dropped, opt_drop)):
        loss = loss_func(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
net_overfitting.eval()
net_dropped.eval()
print("%.4f %.4f" % (loss_func(net_overfitting(x), y).item(), loss_func(net_dropped(x), y).item()))
print(net_dropped.training, net_dropped[1].training)

# batch normalisation on an MLP input and hidden layers
bn_net = nn.Sequential(nn.BatchNorm1d(1, momentum=0.5), nn.Linear(1, 10), nn.BatchNorm1d(10),
                       nn.Tanh(), nn.Linear(10, 1))
opt = torch.optim.SGD(bn_net.parameters(), lr=0.03)
for _ in range(10):
    loss = loss_func(bn_net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
bn_net.eval()
# (the input's exact mean is 0: its float32 rounding noise is not worth comparing)
print("%.4f %.4f" % (loss_func(bn_net(x), y).item(), bn_net[0].running_mean.item()),
      bn_net[0].running_var, bn_net[2].running_mean[:3])
