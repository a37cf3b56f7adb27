"""Small trainable networks shared by the studies that train one: a fully connected network over one flat
parameter vector with exact gradients, Hessian-vector products, Hessians and Gauss–Newton matrices
(:mod:`.mlp`), losses (:mod:`.losses`), activations (:mod:`.activations`), trainers over explicit checkpointable
state (:mod:`.trainers`) and synthetic tasks (:mod:`.data`). See docs/nets.md."""
from .activations import ACTIVATIONS
from .losses import LOSSES, L2, MSE, CrossEntropy
from .mlp import MLP, Objective
from .trainers import GD, SGD, Adam, Langevin, run

__all__ = ["ACTIVATIONS", "LOSSES", "L2", "MSE", "CrossEntropy", "MLP", "Objective", "GD", "SGD", "Adam",
           "Langevin", "run"]
