# A program from tests/python/progen.py, a seed for tests/fuzz_compile.rs.
# signature: (int8, uint8, int8, bool[:, :], uint32[:])
def seed5(p1, p2, p3, a4, a5):
    v6 = np.complex64(complex(-2.0, 5.0))
    v7 = (np.float64(-1.0) ** np.int64(-1))
    if math.isinf(np.float64(math.tan(((np.uint64(8) * p1) if -1000000.0 < (np.uint64(8) * p1) < 1000000.0 else np.float64(0.5))))):
        for i8 in range(-3, 2, 2):
            v6 = (+(math.isfinite(np.float64(4.194365297540161)) * v6))
            v6 = v6
            v6 = np.complex64(complex(2.406043529510498, 4.354462146759033))
    a5[-1] = np.uint32(p1)
    v7 = (+max(v7, np.float64(np.uint16(19305))))
    a4[(np.int64((~np.int32(1755542257)))) % 4, -2] &= (p1 <= (p3 if a4[3, -2] else p1) == (np.bool_(True) & np.uint32(2753277792)))
    for i9 in range(2, 6, 1):
        v6 -= (v6 if a4[0, 1] else (np.complex64(complex(-5.623064994812012, -0.672843337059021)) * np.int8(0)))
        v6 = (-v6)
    v7 = v7
    if True:
        w10 = 0
        while w10 < 6:
            w10 += 1
            if np.bool_(False):
                v6 = (+v6)
            elif (bool(v7) and ((np.int16(-11) and np.int16(16384)) > np.int64(math.trunc((np.float64((+p1)) if -1000000000000000.0 < np.float64((+p1)) < 1000000000000000.0 else np.float64(3.0)))))):
                if ((np.complex128(complex(1e+30, -1.0)) if a4[3, -4] else np.complex128(complex(-7.209669660609732, 3.9602731821126854e+17))) != (np.complex128(complex(-0.0, 8.221495805488367e+28)) if np.bool_(True) else np.complex128(complex(7.403684912354624, 2.0)))):
                    continue
            else:
                v6 = ((np.int16(0) >> np.int16(9)) * (np.complex64(v7) if math.isfinite(v7) else (-v6)))
    return p3
