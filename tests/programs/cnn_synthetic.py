"""A small CNN with batch-norm and dropout on synthetic images (the tutorial series' CNN step)."""
# ruff: noqa: UP031
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(7)
EPOCH, BATCH_SIZE, LR = 2, 8, 0.01
images = torch.rand(32, 1, 12, 12)
targets = (images[:, 0, :6].mean(dim=(1, 2)) > images[:, 0, 6:].mean(dim=(1, 2))).long()


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(
            nn.Conv2d(in_channels=1, out_channels=4, kernel_size=3, stride=1, padding=1,
                      bias=False),  # BN follows: a bias gets rounding-noise grads Adam amplifies
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )
        self.conv2 = nn.Sequential(nn.Conv2d(4, 8, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.dropout = nn.Dropout(0.25)
        self.out = nn.Linear(8 * 3 * 3, 2)

    def forward(self, x):
        x = self.conv1(x)
        x = self.conv2(x)
        x = x.view(x.size(0), -1)
        x = self.dropout(x)
        return self.out(x), x


cnn = CNN()
print(cnn)
print(sum(p.numel() for p in cnn.parameters() if p.requires_grad))
optimizer = torch.optim.Adam(cnn.parameters(), lr=LR)
loss_func = nn.CrossEntropyLoss()
for epoch in range(EPOCH):
    perm = torch.randperm(images.size(0))
    for step in range(0, images.size(0), BATCH_SIZE):
        idx = perm[step:step + BATCH_SIZE]
        b_x, b_y = images[idx], targets[idx]
        output = cnn(b_x)[0]
        loss = loss_func(output, b_y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 16 == 0:
            print("Epoch:", epoch, "| train loss: %.4f" % loss.data.numpy())

cnn.eval()
with torch.no_grad():
    test_output, _ = cnn(images[:10])
    pred_y = torch.max(test_output, 1)[1].data.numpy()
    print(pred_y, "prediction number")
    print(targets[:10].numpy(), "real number")
    print(F.softmax(test_output[:2], dim=1))
print(cnn.conv1[1].running_mean, cnn.conv1[1].num_batches_tracked)
