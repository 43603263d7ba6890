def nbody(particle, particlev, nSteps, dt):
    nParticles = particle.shape[0]
    for step in range(1, nSteps + 1, 1):
        for i in range(nParticles):
            Fx = 0.0; Fy = 0.0; Fz = 0.0
            for j in range(nParticles):
                if j != i:
                    dx = particle[j, 0] - particle[i, 0]
                    drSquared = dx * dx
                    drPowerN32 = 1.0 / (drSquared + math.sqrt(drSquared))
                    Fx += dx * drPowerN32
            particlev[i, 0] += dt * Fx
    return particle, particlev
