/**
 * A tiny convolution forward and backward pass on the active backend, compared with a plain
 * loop implementation, so a backend that loads but computes wrong results is not used.
 */
import * as tf from '@tensorflow/tfjs';

// Odd size and stride 2 with 'same' padding exercise the uneven padding of gradients.
const N = 2;
const H = 5;
const W = 5;
const CIN = 2;
const COUT = 3;
const K = 3;
const STRIDE = 2;
const PAD_TOP = 1;
const PAD_LEFT = 1;
const HO = 3;
const WO = 3;
const TOLERANCE = 1e-3;

function values(count: number, salt: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sin(i * 0.7 + salt) * 0.5;
  return out;
}

interface Reference {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/** y = conv(x, w); for loss Σ y·r: dx and dw, with the taps enumerated directly. */
function reference(x: Float32Array, w: Float32Array, r: Float32Array): Reference {
  const y = new Float32Array(N * HO * WO * COUT);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < HO; i++) {
      for (let j = 0; j < WO; j++) {
        for (let a = 0; a < K; a++) {
          const h = i * STRIDE + a - PAD_TOP;
          if (h < 0 || h >= H) continue;
          for (let b = 0; b < K; b++) {
            const v = j * STRIDE + b - PAD_LEFT;
            if (v < 0 || v >= W) continue;
            for (let c = 0; c < CIN; c++) {
              const xi = ((n * H + h) * W + v) * CIN + c;
              for (let o = 0; o < COUT; o++) {
                const wi = ((a * K + b) * CIN + c) * COUT + o;
                const yi = ((n * HO + i) * WO + j) * COUT + o;
                y[yi] += x[xi] * w[wi];
                dx[xi] += r[yi] * w[wi];
                dw[wi] += r[yi] * x[xi];
              }
            }
          }
        }
      }
    }
  }
  return { y, dx, dw };
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return Number.isNaN(diff) || actual.length !== expected.length ? Infinity : diff / Math.max(scale, 1e-30);
}

/** Throws when the active backend's convolution or its gradients are wrong. */
export async function checkConvolution(): Promise<void> {
  const xv = values(N * H * W * CIN, 1);
  const wv = values(K * K * CIN * COUT, 2);
  const rv = values(N * HO * WO * COUT, 3);
  const expected = reference(xv, wv, rv);
  const computed = tf.tidy(() => {
    const x = tf.tensor4d(xv, [N, H, W, CIN]);
    const w = tf.tensor4d(wv, [K, K, CIN, COUT]);
    const r = tf.tensor4d(rv, [N, HO, WO, COUT]);
    const y = tf.conv2d(x, w, STRIDE, 'same');
    const loss = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, STRIDE, 'same'), r));
    const [dx, dw] = tf.grads(loss)([x, w]);
    return [y, dx, dw];
  });
  try {
    const [y, dx, dw] = await Promise.all(computed.map((t) => t.data()));
    const errors: Record<string, number> = {
      forward: relativeError(y, expected.y),
      'input gradient': relativeError(dx, expected.dx),
      'filter gradient': relativeError(dw, expected.dw),
    };
    for (const [what, error] of Object.entries(errors)) {
      if (!(error <= TOLERANCE)) {
        throw new Error(`convolution check failed on '${tf.getBackend()}': ${what} relative error ${error}`);
      }
    }
  } finally {
    tf.dispose(computed);
  }
}
