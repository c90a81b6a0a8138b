"""Chapter 5 (pytorch-training): the numbers the PyTorch lecture prints, from ``torch_line_data()``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlbook import History
from dlbook.data import torch_line_data


@pytest.fixture(scope="module")
def data():
    return torch_line_data()


def sse_run(X, y, alpha, epochs=30, n_divide=1):
    """The lecture's four-step loop; returns Ŵ after each update, shape (epochs, 2), and the losses."""
    What = torch.tensor([[-5.0], [10.0]], requires_grad=True)
    params, losses = [], []
    for _ in range(epochs):
        yhat = X @ What
        loss = torch.sum((y - yhat) ** 2) / n_divide
        losses.append(loss.item())
        loss.backward()
        What.data = What.data - alpha * What.grad
        What.grad = None
        params.append(What.data.reshape(-1).clone())
    return torch.stack(params), losses


def test_first_step(data):
    X, y = data
    What = torch.tensor([[-5.0], [10.0]], requires_grad=True)
    loss = torch.sum((X @ What - y) ** 2)
    loss.backward()
    assert loss.item() == pytest.approx(8587.6875, abs=1e-3)
    np.testing.assert_allclose(What.grad.reshape(-1).numpy(), [-1342.2524, 1188.9305], atol=1e-3)
    np.testing.assert_allclose((-0.001 * What.grad).reshape(-1).numpy(), [1.3423, -1.1889], atol=1e-4)
    What.data = What.data - 0.001 * What.grad
    np.testing.assert_allclose(What.data.reshape(-1).numpy(), [-3.6577, 8.8111], atol=1e-4)


def test_backward_accumulates_until_cleared(data):
    X, y = data
    What = torch.tensor([[-5.0], [10.0]], requires_grad=True)
    torch.sum((X @ What - y) ** 2).backward()
    first = What.grad.clone()
    torch.sum((X @ What - y) ** 2).backward()
    assert torch.allclose(What.grad, 2 * first)


def test_thirty_sse_epochs_follow_the_lecture(data):
    X, y = data
    params, losses = sse_run(X, y, alpha=0.001)
    np.testing.assert_allclose(params[1].numpy(), [-2.5548, 7.8612], atol=1e-4)
    np.testing.assert_allclose(params[2].numpy(), [-1.6492, 7.1016], atol=1e-4)
    np.testing.assert_allclose(losses[:3], [8587.69, 5675.21, 3755.64], atol=0.01)
    assert losses[-1] == pytest.approx(26.41, abs=0.01)
    np.testing.assert_allclose(params[-1].numpy(), [2.4290, 4.0144], atol=1e-4)


def test_closed_form(data):
    X, y = data
    closed = torch.linalg.inv(X.T @ X) @ X.T @ y
    np.testing.assert_allclose(closed.reshape(-1).numpy(), [2.4459, 4.0043], atol=1e-4)


def test_mse_with_n_times_the_rate_walks_the_sse_path(data):
    X, y = data
    sse_params, sse_losses = sse_run(X, y, alpha=0.001)
    mse_params, mse_losses = sse_run(X, y, alpha=0.1, n_divide=100)
    torch.testing.assert_close(mse_params, sse_params, rtol=0, atol=1e-5)
    np.testing.assert_allclose(np.array(mse_losses) * 100, sse_losses, rtol=1e-5)


def test_the_pytorch_pattern_gives_the_same_numbers(data):
    X, y = data
    mse_params, _ = sse_run(X, y, alpha=0.1, n_divide=100)
    net = torch.nn.Linear(in_features=2, out_features=1, bias=False)
    net.weight.data = torch.tensor([[-5.0, 10.0]])
    loss_fn = torch.nn.MSELoss()
    optimizr = torch.optim.SGD(net.parameters(), lr=0.1)
    params = []
    for epoch in range(30):
        loss = loss_fn(net(X), y)
        if epoch == 0:
            assert loss.item() == pytest.approx(85.8769, abs=1e-4)
        loss.backward()
        optimizr.step()
        optimizr.zero_grad()
        params.append(net.weight.data.reshape(-1).clone())
    params = torch.stack(params)
    np.testing.assert_allclose(params[0].numpy(), [-3.6577, 8.8111], atol=1e-4)
    np.testing.assert_allclose(params[1].numpy(), [-2.5548, 7.8612], atol=1e-4)
    torch.testing.assert_close(params, mse_params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(params[-1].numpy(), [2.4290, 4.0144], atol=1e-4)


def test_learning_rates_crawl_converge_and_diverge(data):
    X, y = data
    edge = 1 / torch.linalg.eigvalsh(X.T @ X).max().item()
    assert 0.0082 < edge < 0.0083  # the lecture's 0.0083 is just past the edge
    crawl, _ = sse_run(X, y, alpha=0.0001)
    np.testing.assert_allclose(crawl[-1].numpy(), [-1.8619, 7.2999], atol=1e-3)
    _, zigzag = sse_run(X, y, alpha=0.0083)
    assert min(zigzag) == zigzag[6] and zigzag[-1] > zigzag[6]  # falls, then creeps back up
    _, away = sse_run(X, y, alpha=0.0085)
    assert away[-1] > away[5]
    blown, _ = sse_run(X, y, alpha=0.01)
    assert torch.all(torch.isfinite(blown)) and blown[-1].abs().min() > 1e4


def test_history_records_what_the_chapter_plots(data):
    X, y = data
    What = torch.tensor([[-5.0], [10.0]], requires_grad=True)
    history = History()
    for _ in range(30):
        yhat = X @ What
        loss = torch.sum((y - yhat) ** 2)
        history.record(params=What, loss=loss, yhat=yhat)
        loss.backward()
        What.data = What.data - 0.001 * What.grad
        What.grad = None
    assert history.params.shape == (30, 2) and history.yhat.shape == (30, 100)
    np.testing.assert_allclose(history.params[0], [-5, 10])
    assert history.loss[0] == pytest.approx(8587.6875, abs=1e-3)
