# sig: (f8[:,:],)
def f(a):
    return a.shape[2]

# expect:
# error Typing 3:20-3:21: tuple index 2 is out of range for (int64, int64)
