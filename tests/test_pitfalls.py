"""helpers.pitfalls: warnings in one line, and the origin of a NaN under anomaly detection."""
import warnings

import pytest
import torch

from helpers.pitfalls import NanOrigin, brief_warnings, first_sentences, nan_origin

pytestmark = pytest.mark.timeout(60)


def test_first_sentences_drop_the_cpp_location():
    text = ("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
            "attribute won't be populated. (Triggered internally at /__w/pytorch/aten/TensorBody.h:493.)")
    assert first_sentences(text) == "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed."
    assert first_sentences(text, 2).endswith("won't be populated.")
    assert "Triggered" not in first_sentences(text, 5)


def test_first_sentences_keep_a_size_in_brackets():
    text = ("Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.")
    assert first_sentences(text, 2) == ("Using a target size (torch.Size([3])) that is different to the input size "
                                        "(torch.Size([3, 1])). This will likely lead to incorrect results due to "
                                        "broadcasting.")


@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, TypeError), (True, TypeError)])
def test_sentences_is_validated(bad, error):
    with pytest.raises(error, match="sentences"):
        first_sentences("A. B.", bad)
    with pytest.raises(error, match="sentences"):
        with brief_warnings(bad):
            pass


def test_brief_warnings_prints_each_warning_every_time(capsys):
    w = torch.tensor([3.0], requires_grad=True)
    e = w * 2.0
    (e * e).backward()
    for _ in range(2):  # the default filter would show it only once per line
        with brief_warnings() as lines:
            assert e.grad is None
        assert lines == ["UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed."]
    out = capsys.readouterr().out.splitlines()
    assert out == lines * 2


def test_brief_warnings_prints_nothing_without_a_warning(capsys):
    with brief_warnings() as lines:
        torch.ones(2).sum()
    assert lines == [] and capsys.readouterr().out == ""


def test_brief_warnings_restores_the_filters():
    before = list(warnings.filters)
    with brief_warnings():
        warnings.warn("inside", UserWarning)
    assert warnings.filters == before


def distance(p, q):
    d = p - q
    s = (d * d).sum()
    return torch.sqrt(s)


def test_nan_origin_names_the_node_and_the_forward_line():
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    q = torch.tensor([1.0, 2.0])
    origin = nan_origin(lambda: distance(p, q).backward())
    # sqrt's backward sends inf (its slope at 0); the mul node multiplies inf by d = 0: NaN
    assert origin == NanOrigin("MulBackward0", "distance", "s = (d * d).sum()")


def test_nan_origin_is_none_without_a_nan():
    p = torch.tensor([1.0, 2.0], requires_grad=True)
    assert nan_origin(lambda: distance(p, torch.zeros(2)).backward()) is None
    assert p.grad is not None and torch.isfinite(p.grad).all()


def test_nan_origin_leaves_anomaly_detection_off_and_raises_other_errors():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nan_origin(lambda: torch.ones(2).sum().backward())
    assert not torch.is_anomaly_enabled()


def test_nan_origin_needs_a_function():
    with pytest.raises(TypeError, match="run"):
        nan_origin(None)
