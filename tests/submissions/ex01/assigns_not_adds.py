# Writes a node's gradient with = instead of +=: a node used twice (mul(x, x)) or by several
# ops keeps only the last share.
# expect-fail: test_backward_of_notes_example, test_node_used_many_times, test_random_graph_gradients, test_descent_of_notes_example
# expect-text: use +=, not =
# expect-pass: test_forward_of_notes_example, test_output_gradient_is_one
# expect-next-step: use +=, not =


class Node:
    def __init__(self, v=0.0):
        self.v = v
        self.g = 0.0


class Gate:
    def __init__(self, o, a, b, f, dfa, dfb):
        self.o, self.a, self.b, self.f, self.dfa, self.dfb = o, a, b, f, dfa, dfb

    def forward(self):
        self.o.v = self.f(self.a.v, self.b.v)
        return self.o.v

    def backward(self):
        a, b, o = self.a, self.b, self.o
        a.g = self.dfa(a.v, b.v) * o.g
        b.g = self.dfb(a.v, b.v) * o.g


class Net:
    def __init__(self):
        self.nodes, self.vars, self.gates = [], [], []

    def variable(self, v):
        node = Node(v)
        self.nodes.append(node)
        self.vars.append(node)
        return node

    def op(self, a, b, f, dfa, dfb):
        o = Node()
        self.gates.append(Gate(o, a, b, f, dfa, dfb))
        self.nodes.append(o)
        return o

    def add(self, a, b):
        return self.op(a, b, lambda a, b: a + b, lambda a, b: 1, lambda a, b: 1)

    def mul(self, a, b):
        return self.op(a, b, lambda a, b: a * b, lambda a, b: b, lambda a, b: a)

    def forward(self):
        for gate in self.gates:
            gate.forward()
        return self.nodes[-1].v

    def backward(self):
        for node in self.nodes:
            node.g = 0
        self.nodes[-1].g = 1
        for gate in reversed(self.gates):
            gate.backward()

    def gradient_descendent(self, maxLoops=100, dumpPeriod=1, step=0.01):
        for i in range(maxLoops):
            f = self.forward()
            if i % dumpPeriod == 0:
                print(i, ' => ', f)
            self.backward()
            for x in self.vars:
                x.v -= step * x.g
