# sig: (f8[:], i4[:,::1], f8[:,:])
def f(xs, grid, ga):
    total = 0.0
    for x in xs:
        total += x
    for row in grid:
        for v in row:
            total += v
    for r in ga:
        total += r[0]
    for k in (1, 2, 3):
        total += k
    for a, b in ((1, 2.0), (3, 4.5)):
        total += a * b
    return total

# expect:
# types of f:
#   a: int64
#   b: float64
#   ga: array(float64, 2d, A)
#   grid: array(int32, 2d, C)
#   k: int64
#   r: array(float64, 1d, A)
#   row: array(int32, 1d, C)
#   total: float64
#   v: int32
#   x: float64
#   xs: array(float64, 1d, A)
#   return: float64
