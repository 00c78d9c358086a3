"""Reference solution for ex01: the course's net.py, each op's forward value and backward rule
side by side (as in micrograd)."""


class Node:
    def __init__(self, v=0.0):
        self.v, self.g = v, 0.0

    def __repr__(self):
        return f"v:{self.v} g:{self.g}"


class Net:
    def __init__(self):
        self.nodes = []      # all of them, in creation order: the last one is the output
        self.variables = []  # made with variable(): what gradient descent moves
        self.ops = []        # made with add() or mul(): inputs always come before their op

    def variable(self, v):
        x = Node(v)
        self.nodes.append(x)
        self.variables.append(x)
        return x

    def add(self, a, b):  # o = a + b: do/da = 1, do/db = 1
        return self._op(lambda: a.v + b.v, lambda: ((a, 1), (b, 1)))

    def mul(self, a, b):  # o = a * b: do/da = b, do/db = a
        return self._op(lambda: a.v * b.v, lambda: ((a, b.v), (b, a.v)))

    def _op(self, value, local_grads):
        o = Node()
        o.value, o.local_grads = value, local_grads
        self.nodes.append(o)
        self.ops.append(o)
        return o

    def forward(self):
        for o in self.ops:
            o.v = o.value()
        return self.nodes[-1].v

    def backward(self):
        for n in self.nodes:
            n.g = 0.0
        self.nodes[-1].g = 1.0
        for o in reversed(self.ops):
            for x, dx in o.local_grads():
                x.g += dx * o.g  # chain rule; += because x may feed several ops

    def gradient_descendent(self, maxLoops=100, dumpPeriod=1, step=0.01):
        for i in range(maxLoops):
            f = self.forward()
            if i % dumpPeriod == 0:
                print(i, " => ", f)
            self.backward()
            for x in self.variables:
                x.v -= step * x.g
