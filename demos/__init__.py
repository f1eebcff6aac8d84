"""The four demos of the Deep Learning Demos Space, one sub-package each."""
