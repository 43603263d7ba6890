# sig: Tuple(f8[:,:], f8[:,:])(f8[:,:], f8[:,:], i8, f8)
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
#   particle: array(float64, 2d, A)
#   particlev: array(float64, 2d, A)
#   step: int64
#   return: (array(float64, 2d, A), array(float64, 2d, A))
# resolutions:
#   3:33 0 => Const(Int(0))
#   4:17 range(1, nSteps + 1, 1) => Intrinsic(Range)
#   4:17 range => Callee
#   5:18 range(nParticles) => Intrinsic(Range)
#   5:18 range => Callee
#   7:22 range(nParticles) => Intrinsic(Range)
#   7:22 range => Callee
#   11:53 math.sqrt(drSquared) => Intrinsic(Sqrt)
#   11:53 math.sqrt => Callee
#   11:53 math => Module(Math)
