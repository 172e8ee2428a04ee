"""The wino module against a NumPy float64 direct convolution (fresh random
data every run; WINO_TEST_SEED reproduces one), its errors, and, if Debian's
python3-torch is installed, torch.nn.functional.conv2d on the same tensors."""
import os
import unittest

import numpy as np

import wino


def reference(x, w, padding):
    """y[n, k, i, j] = sum_{c, r, s} w[k, c, r, s] x[n, c, i + r - p, j + s - p] in float64."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, _, h, wd = x.shape
    oh, ow = h - 2, wd - 2
    y = np.zeros((n, w.shape[0], oh, ow))
    for r in range(3):
        for s in range(3):
            y += np.einsum("kc,nchw->nkhw", w[:, :, r, s].astype(np.float64), x[:, :, r:r + oh, s:s + ow])
    return y


def scaled_error(y, ref, x, w):
    """Max |y - ref| over the per-plane scale sum_c (sum_taps |w|) max |x_c|, as the C++ tests measure it."""
    scale = np.einsum("kc,nc->nk", np.abs(w).sum(axis=(2, 3)), np.abs(x).max(axis=(2, 3)))
    return float((np.abs(y - ref) / np.maximum(scale, 1e-30)[:, :, None, None]).max())


TOLERANCE = {0: 6e-7, 2: 6e-7, 4: 1e-5}  # tests/reference.cpp's bounds by Winograd tile (others: 2e-5)


class WinoModule(unittest.TestCase):
    def setUp(self):
        seed = int(os.environ.get("WINO_TEST_SEED", np.random.SeedSequence().entropy % 2**32))
        self.rng = np.random.default_rng(seed)
        self.seed = seed

    def data(self, n, c, k, h, w):
        x = self.rng.uniform(-1, 1, (n, c, h, w)).astype(np.float32)
        wt = self.rng.uniform(-1, 1, (k, c, 3, 3)).astype(np.float32)
        return x, wt

    def test_variants_lists_the_table(self):
        names = [v["name"] for v in wino.variants()]
        self.assertIn("direct", names)
        self.assertIn("wino_fused_f4", names)
        for v in wino.variants():
            self.assertIn(v["device"], ("cpu", "cuda"))
            self.assertTrue(v["target"])

    def test_every_cpu_variant_and_auto_match_float64(self):
        shapes = [(1, 3, 5, 7, 9, 1), (2, 17, 33, 13, 10, 0), (1, 16, 16, 12, 12, 1)]
        cpu = [v for v in wino.variants() if v["device"] == "cpu" and not v["autoscheduled"]]
        # (variant, layout): auto in both; each variant in the layout it was compiled for.
        runs = [("auto", "nchw"), ("auto", "nhwc")] + [(v["name"], v["layout"]) for v in cpu]
        for variant, layout in runs:
            m = 0 if variant == "auto" else next(v["m"] for v in wino.variants() if v["name"] == variant)
            for n, c, k, h, w, p in shapes:
                with self.subTest(variant=variant, layout=layout, shape=(n, c, k, h, w, p), seed=self.seed):
                    x, wt = self.data(n, c, k, h, w)
                    if layout == "nhwc":  # channels innermost in, and the output back to NCHW to check it
                        y = wino.conv2d(np.ascontiguousarray(x.transpose(0, 2, 3, 1)), wt, padding=p,
                                        variant=variant, layout="nhwc")
                        self.assertEqual(y.shape, (n, h + 2 * p - 2, w + 2 * p - 2, k))
                        y = y.transpose(0, 3, 1, 2)
                    else:
                        y = wino.conv2d(x, wt, padding=p, variant=variant)
                    self.assertEqual(y.shape, (n, k, h + 2 * p - 2, w + 2 * p - 2))
                    self.assertEqual(y.dtype, np.float32)
                    self.assertLessEqual(scaled_error(y, reference(x, wt, p), x, wt),
                                         TOLERANCE.get(m, 2e-5) if variant != "auto" else 2e-5)

    def test_prepared_weights_carry_the_choice_and_give_the_same_result(self):
        x, wt = self.data(2, 16, 24, 20, 20)
        prepared = wino.prepare_weights(wt, variant="auto", input_shape=list(x.shape), padding=1)
        self.assertTrue(prepared.variant)
        self.assertEqual((prepared.K, prepared.C), (24, 16))
        direct = wino.conv2d(x, wt, variant=prepared.variant)
        np.testing.assert_array_equal(wino.conv2d(x, prepared), direct)
        np.testing.assert_array_equal(wino.conv2d(x, prepared, variant=prepared.variant), direct)

    def test_outputs_start_on_a_cache_line_and_outlive_the_call(self):
        # A large NumPy array starts 16 bytes past a page; the module's outputs do not.
        x, wt = self.data(1, 3, 16, 130, 130)  # 1 MiB of output: past glibc's mmap threshold
        ys = [wino.conv2d(x, wt, variant="direct") for _ in range(3)]
        for y in ys:
            self.assertEqual(y.ctypes.data % 64, 0)
        self.assertLessEqual(scaled_error(ys[0], reference(x, wt, 1), x, wt), TOLERANCE[0])
        del ys[1:]  # the others freed; the first still holds its values
        np.testing.assert_array_equal(ys[0], wino.conv2d(x, wt, variant="direct"))

    def test_other_dtypes_and_layouts_are_converted(self):
        x, wt = self.data(1, 4, 4, 8, 8)
        expected = wino.conv2d(x, wt, variant="direct")
        np.testing.assert_allclose(wino.conv2d(x.astype(np.float64), wt, variant="direct"), expected, rtol=0, atol=0)
        np.testing.assert_array_equal(wino.conv2d(np.asfortranarray(x), wt, variant="direct"), expected)

    def test_errors_carry_the_api_code_and_message(self):
        x, wt = self.data(1, 3, 4, 6, 7)
        cases = [
            (lambda: wino.conv2d(x, wt, variant="nope"), wino.ErrorCode.UnknownVariant, "unknown variant 'nope'"),
            (lambda: wino.conv2d(x, wt, padding=2), wino.ErrorCode.InvalidArgument, "padding must be 0 or 1"),
            (lambda: wino.conv2d(x[0], wt), wino.ErrorCode.WrongRank, "input must be 4-D"),
            (lambda: wino.conv2d(x, wt[:, :2]), wino.ErrorCode.ChannelMismatch, "C = 3"),
            (lambda: wino.conv2d(x, np.zeros((4, 3, 5, 5), np.float32)), wino.ErrorCode.KernelNot3x3, "3, 3"),
            (lambda: wino.conv2d(x[:, :, :1, :1], wt, padding=0), wino.ErrorCode.BadShape, "smaller than the 3x3"),
            (lambda: wino.conv2d(x, wt, threads=-1), wino.ErrorCode.InvalidArgument, "threads"),
            (lambda: wino.prepare_weights(wt, variant="auto"), wino.ErrorCode.InvalidArgument, "input shape"),
            (lambda: wino.conv2d(x, wt, variant="auto", layout="chwn"), wino.ErrorCode.InvalidArgument, "layout"),
            (lambda: wino.conv2d(x, wt, variant="direct", layout="nhwc"), wino.ErrorCode.LayoutMismatch,
             "takes NCHW tensors"),
        ]
        for call, code, text in cases:
            with self.subTest(code=code):
                with self.assertRaises(wino.Error) as caught:
                    call()
                self.assertEqual(caught.exception.code, code)
                self.assertIn(text, caught.exception.message)
                self.assertIn(text, str(caught.exception))

    def test_matches_torch_on_shared_memory(self):
        try:
            import torch
        except ImportError:
            self.skipTest("torch is not installed (Debian's python3-torch would enable this test)")
        x = torch.rand(2, 8, 15, 14) * 2 - 1
        w = torch.rand(6, 8, 3, 3) * 2 - 1
        xn, wn = x.numpy(), w.numpy()  # views of the tensors' memory: no copy
        self.assertEqual(xn.__array_interface__["data"][0], x.data_ptr())
        y = torch.nn.functional.conv2d(x.double(), w.double(), padding=1).numpy()
        self.assertLessEqual(scaled_error(wino.conv2d(xn, wn, padding=1), y, xn, wn), 2e-5)


if __name__ == "__main__":
    unittest.main()
