# sig: (f8[:],)
def f(a):
    p = Point(1.0)
    p.x = a

# expect:
# error Typing 4:5-4:8: cannot store array(float64, 1d, A) in field 'x' of type float64
