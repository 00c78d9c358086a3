"""Exercise ex01: write a backward pass (the course's net.py), without torch.

A Net is a graph of nodes. You make nodes with variable(), add() and mul(); forward() computes
their values, backward() their gradients, gradient_descendent() uses both to walk downhill.
Run `grade ex01` in this folder to check your work; README.md has the whole task.
"""


class Node:
    """A value in the graph: v is its value, g is d(output)/d(this node), set by backward()."""

    def __init__(self, v=0.0):
        self.v = v
        self.g = 0.0

    def __repr__(self):
        return f"v:{self.v} g:{self.g}"


class Net:
    def __init__(self):
        self.nodes = []  # every node, in creation order; you may add more lists of your own

    def variable(self, v):
        """Make and return a node holding the value v (an input, a weight or a constant).

        gradient_descendent() moves every node made here.
        """
        raise NotImplementedError("write Net.variable(): see its docstring")

    def add(self, a, b):
        """Make and return a node o = a + b.

        Remember what it needs for forward() (o.v = a.v + b.v) and for backward()
        (d o/d a = 1, d o/d b = 1). Nothing is computed yet: forward() does that.
        """
        raise NotImplementedError("write Net.add(): see its docstring")

    def mul(self, a, b):
        """Make and return a node o = a * b.

        forward(): o.v = a.v * b.v. backward(): d o/d a = b.v and d o/d b = a.v.
        a and b may be the same node: mul(x, x) is x squared.
        """
        raise NotImplementedError("write Net.mul(): see its docstring")

    def forward(self):
        """Compute .v of every add/mul node in creation order; return the .v of the last node
        created (the output)."""
        raise NotImplementedError("write Net.forward(): see its docstring")

    def backward(self):
        """Set .g of every node to d(output)/d(node). Call it after forward().

        1. Reset every node's .g to 0 (so calling it twice gives the same gradients).
        2. Set the output's .g to 1.
        3. Walk the add/mul nodes from last to first; each adds its share to its inputs' .g
           (chain rule): use +=, because a node used by several ops gets a share from each.
        """
        raise NotImplementedError("write Net.backward(): see its docstring")

    def gradient_descendent(self, maxLoops=100, dumpPeriod=1, step=0.01):
        """Repeat maxLoops times (loop i = 0, 1, ...): f = forward(); print(i, ' => ', f) when
        i % dumpPeriod == 0; backward(); then move every variable against its gradient:
        x.v -= step * x.g (once per variable per loop)."""
        raise NotImplementedError("write Net.gradient_descendent(): see its docstring")


if __name__ == "__main__":  # the course's net1.py and net2.py
    net = Net()
    x = net.variable(1)
    y = net.variable(3)
    o = net.add(net.mul(x, x), net.mul(y, y))
    print("net.forward() =", net.forward())  # 10
    net.backward()
    print("x =", x, "y =", y, "o =", o)  # x.g = 2, y.g = 6, o.g = 1
    net.gradient_descendent(step=0.02)  # 10, 9.216, 8.4934656, ...
    print("x =", x.v, "y =", y.v)  # 0.01687... 0.05061...
