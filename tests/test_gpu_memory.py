"""Peak GPU memory: None on a CPU, GB figures on CUDA (torch.cuda stubbed with real-looking numbers)."""

import torch

from llama_sql.gpu_memory import peak_memory, reset_peak_memory


def test_no_gpu_means_no_figure(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    reset_peak_memory()  # a no-op without CUDA, never an error
    assert peak_memory() is None


def test_a_gpu_reports_its_peak_in_gb(monkeypatch):
    resets = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Tesla T4")
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", lambda *a: resets.append(True))
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda *a: 8_489_271_296)  # 7.906 GiB
    monkeypatch.setattr(torch.cuda, "max_memory_reserved", lambda *a: 10_737_418_240)  # 10 GiB
    reset_peak_memory()
    assert resets == [True]
    assert peak_memory() == {
        "device": "Tesla T4",
        "max_memory_allocated_gb": 8.489,  # decimal GB, as the on-paper estimate counts
        "max_memory_reserved_gb": 10.737,
    }
