import os

from dlbook_build.execute import KERNEL_ENV

# TensorFlow imported by the tests themselves starts as the chapters' kernels
# do (quiet, deterministic); the kernels' own backend is for notebooks only
os.environ.update({k: v for k, v in KERNEL_ENV.items() if k != "MPLBACKEND"})
