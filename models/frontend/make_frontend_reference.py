"""Oracle data for tflm.AudioFrontend: TensorFlow's audio_microfrontend op.

Run with TensorFlow's venv from the repository root:

    deps/tf-venv/bin/python models/frontend/make_frontend_reference.py

For each parameter set below and each of the four one-second WAVs in
../shared/models/testdata (not in this repository), the op's uint16 output
(frames x channels) is written to models/frontend/<set>_<wav>.npy, and
reference.json records the parameter sets, each file's shape and sha256, and
the TensorFlow version. python_tests/test_frontend.py feeds the same WAVs to
tflm.AudioFrontend and compares with these files.
"""
import hashlib
import json
import os
import sys
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WAV_DIR = os.path.join(HERE, '..', '..', '..', 'shared', 'models', 'testdata')
WAVS = ('yes', 'no', 'silence', 'noise')

# tflm.AudioFrontend keyword -> audio_microfrontend keyword.
OP_NAMES = {
    'window_ms': 'window_size', 'step_ms': 'window_step', 'channels': 'num_channels',
}

# Each set names only what differs from tflm.AudioFrontend's defaults (those
# of TFLM's micro_speech: 30 ms windows every 20 ms, 40 channels; the rest
# are the op's own defaults).
DEFAULTS = dict(sample_rate=16000, window_ms=30, step_ms=20, channels=40)
SETS = {
    'default': {},
    # No PCAN gain control; 32 channels, 25 ms every 10 ms (the op's defaults).
    'nopcan': dict(enable_pcan=False, window_ms=25, step_ms=10, channels=32),
    # No log scale (the raw, noise-reduced and PCAN-scaled filterbank), other
    # smoothing and band limits.
    'nolog': dict(enable_log=False, smoothing_bits=8, even_smoothing=0.04,
                  odd_smoothing=0.08, min_signal_remaining=0.1,
                  lower_band_limit=300.0, upper_band_limit=6000.0),
    # Other PCAN and log parameters, 16 channels, a 64 ms window (FFT 1024),
    # and out_scale.
    'params': dict(channels=16, window_ms=64, step_ms=16, pcan_strength=0.8,
                   pcan_offset=40.0, gain_bits=20, scale_shift=4, out_scale=2),
    # Small enough for a 16 KiB board: 8 ms windows (FFT 128), 8 channels.
    'small': dict(window_ms=8, step_ms=8, channels=8, upper_band_limit=7000.0),
}


def read_wav(path):
    with wave.open(path, 'rb') as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), '<i2')


def main():
    import tensorflow as tf
    from tensorflow.lite.experimental.microfrontend.python.ops import (
        audio_microfrontend_op as frontend_op)
    if not os.path.isdir(WAV_DIR):
        sys.exit('no ' + WAV_DIR)
    index = {'tensorflow': tf.__version__, 'defaults': DEFAULTS, 'sets': {}, 'files': {}}
    for set_name, params in SETS.items():
        full = dict(DEFAULTS, **params)
        index['sets'][set_name] = params
        op_args = {OP_NAMES.get(k, k): v for k, v in full.items()}
        for wav in WAVS:
            rate, pcm = read_wav(os.path.join(WAV_DIR, wav + '_1000ms.wav'))
            assert rate == full['sample_rate']
            out = frontend_op.audio_microfrontend(tf.constant(pcm), **op_args).numpy()
            assert out.dtype == np.uint16
            name = '%s_%s.npy' % (set_name, wav)
            np.save(os.path.join(HERE, name), out)
            with open(os.path.join(HERE, name), 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            index['files'][name] = {'shape': list(out.shape), 'sha256': digest,
                                    'max': int(out.max())}
            print(name, out.shape, 'max', out.max())
    with open(os.path.join(HERE, 'reference.json'), 'w') as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
