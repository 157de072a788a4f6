"""Op-table entries for ember.fft and the new ember.special functions (complex results are
compared through view_as_real; complex inputs are built with lib.complex from two real ones)."""

from opinfo import OpInfo


def _r(y):
    """A complex result as a real (..., 2) tensor of the same library."""
    import torch

    import ember
    if isinstance(y, torch.Tensor):
        return torch.view_as_real(y.resolve_conj())
    return ember.view_as_real(y.resolve_conj())


def _c(lib, a, b):
    return lib.complex(a, b)


def _probs(rng, shapes, dtype):
    return [rng.uniform(0.02, 0.98, size=s).astype(dtype) for s in shapes]


def _positive(rng, shapes, dtype):
    return [rng.uniform(0.1, 3, size=s).astype(dtype) for s in shapes]


FFT_SHAPES = [((5,),), ((4, 6),), ((2, 3, 4),)]
C_SHAPES = [((5,), (5,)), ((4, 6), (4, 6)), ((2, 3, 4), (2, 3, 4))]
ND_SHAPES = [((4, 6),), ((2, 3, 4),)]
NDC_SHAPES = [((4, 6), (4, 6)), ((2, 3, 4), (2, 3, 4))]

OPS = [
    OpInfo("fft.fft", lambda lib, a: (_r(lib.fft.fft(a)), _r(lib.fft.fft(a, n=7, norm="ortho"))),
           shapes=FFT_SHAPES),
    OpInfo("fft.fft_complex", lambda lib, a, b: _r(lib.fft.fft(_c(lib, a, b), n=3, dim=0)),
           shapes=C_SHAPES),
    OpInfo("fft.ifft", lambda lib, a, b: _r(lib.fft.ifft(_c(lib, a, b), norm="forward")),
           shapes=C_SHAPES),
    OpInfo("fft.rfft", lambda lib, a: (_r(lib.fft.rfft(a)), _r(lib.fft.rfft(a, n=8, dim=0))),
           shapes=FFT_SHAPES),
    OpInfo("fft.irfft", lambda lib, a, b: (lib.fft.irfft(_c(lib, a, b)),
                                           lib.fft.irfft(_c(lib, a, b), n=7, norm="ortho")),
           shapes=C_SHAPES),
    OpInfo("fft.hfft", lambda lib, a, b: lib.fft.hfft(_c(lib, a, b), n=6), shapes=C_SHAPES),
    OpInfo("fft.ihfft", lambda lib, a: _r(lib.fft.ihfft(a, norm="ortho")), shapes=FFT_SHAPES),
    OpInfo("fft.fft2", lambda lib, a: _r(lib.fft.fft2(a, s=(3, 7))), shapes=ND_SHAPES),
    OpInfo("fft.ifft2", lambda lib, a, b: _r(lib.fft.ifft2(_c(lib, a, b))), shapes=NDC_SHAPES),
    OpInfo("fft.rfft2", lambda lib, a: _r(lib.fft.rfft2(a, norm="forward")), shapes=ND_SHAPES),
    OpInfo("fft.irfft2", lambda lib, a, b: lib.fft.irfft2(_c(lib, a, b), s=(-1, 5)),
           shapes=NDC_SHAPES),
    OpInfo("fft.fftn", lambda lib, a: _r(lib.fft.fftn(a)), shapes=FFT_SHAPES),
    OpInfo("fft.ifftn", lambda lib, a, b: _r(lib.fft.ifftn(_c(lib, a, b), dim=(0,))),
           shapes=NDC_SHAPES),
    OpInfo("fft.rfftn", lambda lib, a: _r(lib.fft.rfftn(a, s=(3, 4))), shapes=ND_SHAPES),
    OpInfo("fft.irfftn", lambda lib, a, b: lib.fft.irfftn(_c(lib, a, b)), shapes=NDC_SHAPES),
    OpInfo("fft.fftshift", lambda lib, a: (lib.fft.fftshift(a), lib.fft.ifftshift(a, dim=-1)),
           shapes=FFT_SHAPES),
    OpInfo("special.ndtr", lambda lib, a: lib.special.ndtr(a * 3), shapes=FFT_SHAPES),
    OpInfo("special.log_ndtr", lambda lib, a: lib.special.log_ndtr(a * 4), shapes=FFT_SHAPES),
    OpInfo("special.ndtri", lambda lib, a: lib.special.ndtri(a), shapes=FFT_SHAPES, make=_probs,
           atol=1e-4, rtol=1e-5),
    OpInfo("special.entr", lambda lib, a: lib.special.entr(a), shapes=FFT_SHAPES, make=_positive),
    OpInfo("special.i0", lambda lib, a: (lib.special.i0(a * 3), lib.special.i1(a * 3)),
           shapes=FFT_SHAPES),
    OpInfo("special.i0e", lambda lib, a: (lib.special.i0e(a * 30), lib.special.i1e(a * 30)),
           shapes=FFT_SHAPES),
    OpInfo("special.sinc", lambda lib, a: lib.special.sinc(a), shapes=FFT_SHAPES),
    OpInfo("special.xlog1py", lambda lib, a, b: lib.special.xlog1py(a, b.abs()),
           shapes=[((3, 4), (3, 4)), ((2, 3), (3,))]),
]
