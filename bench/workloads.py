"""Benchmark workloads: each takes the library module (ember or torch) and returns a callable
that runs one repetition, plus the unit the result is reported in."""

from __future__ import annotations


def per_op_overhead(lib):
    """2,000 chained `y = y * 1.0001 + 0.0001` on 10 elements, then backward (µs per op)."""
    x = lib.ones(10, requires_grad=True)

    def run():
        y = x
        for _ in range(2000):
            y = y * 1.0001 + 0.0001
        y.sum().backward()
    return run, 4000, "µs/op"


def matmul_1024(lib):
    """1024x1024 float32 matmul (GFLOP/s reported as time per matmul)."""
    a = lib.ones(1024, 1024) * 0.5
    b = lib.ones(1024, 1024) * 0.25

    def run():
        lib.matmul(a, b)
    return run, 1, "ms/matmul"


def seed_regression(lib):
    """The seed's regression net: Linear(1,10)-ReLU-Linear(10,1), SGD lr 0.2, MSE, 200 epochs."""
    nn = lib.nn
    lib.manual_seed(1)
    x = lib.unsqueeze(lib.linspace(-1, 1, 100), dim=1)
    y = x.pow(2) + 0.2 * lib.rand(x.size())

    def run():
        net = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))
        opt = lib.optim.SGD(net.parameters(), lr=0.2)
        loss_fn = nn.MSELoss()
        for _ in range(200):
            loss = loss_fn(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return run, 1, "ms/200 epochs"


WORKLOADS = {
    "per_op_overhead": per_op_overhead,
    "matmul_1024": matmul_1024,
    "seed_regression": seed_regression,
}
