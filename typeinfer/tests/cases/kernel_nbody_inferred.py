# sig: (f8[:,::1], f8[:,::1], i8, f8)
# The same kernel without a declared return type: the tuple of the argument arrays.
def nbody(particle, particlev, nSteps, dt):
    nParticles = particle.shape[0]
    for step in range(1, nSteps + 1, 1):
        for i in range(nParticles):
            Fx = 0.0
            for j in range(nParticles):
                if j != i:
                    dx = particle[j, 0] - particle[i, 0]
                    drSquared = dx * dx
                    drPowerN32 = 1.0 / (drSquared + math.sqrt(drSquared))
                    Fx += dx * drPowerN32
            particlev[i, 0] += dt * Fx
    return particle, particlev

# expect:
# types of nbody:
#   Fx: float64
#   drPowerN32: float64
#   drSquared: float64
#   dt: float64
#   dx: float64
#   i: int64
#   j: int64
#   nParticles: int64
#   nSteps: int64
#   particle: array(float64, 2d, C)
#   particlev: array(float64, 2d, C)
#   step: int64
#   return: (array(float64, 2d, C), array(float64, 2d, C))
# resolutions:
#   4:33 0 => Const(Int(0))
#   5:17 range(1, nSteps + 1, 1) => Intrinsic(Range)
#   5:17 range => Callee
#   6:18 range(nParticles) => Intrinsic(Range)
#   6:18 range => Callee
#   8:22 range(nParticles) => Intrinsic(Range)
#   8:22 range => Callee
#   12:53 math.sqrt(drSquared) => Intrinsic(Sqrt)
#   12:53 math.sqrt => Callee
#   12:53 math => Module(Math)
