/* nbody.c: the benchmark game's n-body simulation (Jovian planets), in the
 * style of its C entries: a typedef'd array for vectors, macros for the
 * physical constants and for loops over the bodies, a config size under
 * #ifdef inside the function that advances the system. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5

typedef double vec3[3];

struct planet {
    vec3 pos;
    vec3 vel;
    double mass;
};

#define FOR_BODIES(i) for (i = 0; i < NBODIES; i++)
#define SQR(x) ((x) * (x))

static double dot(const vec3 a, const vec3 b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void axpy(vec3 y, double a, const vec3 x)
{
    int k;
    for (k = 0; k < 3; k++)
        y[k] += a * x[k];
}

static void advance(struct planet *bodies, double dt)
{
    int i, j;
    FOR_BODIES(i) {
        struct planet *b = &bodies[i];
        for (j = i + 1; j < NBODIES; j++) {
            struct planet *b2 = &bodies[j];
            vec3 d;
            double dist2, mag;
            d[0] = b->pos[0] - b2->pos[0];
            d[1] = b->pos[1] - b2->pos[1];
            d[2] = b->pos[2] - b2->pos[2];
            dist2 = dot(d, d);
            mag = dt / (dist2 * sqrt(dist2));
            axpy(b->vel, -b2->mass * mag, d);
            axpy(b2->vel, b->mass * mag, d);
        }
    }
    FOR_BODIES(i) {
        axpy(bodies[i].pos, dt, bodies[i].vel);
    }
}

static double energy(const struct planet *bodies)
{
    double e = 0.0;
    int i, j;
    FOR_BODIES(i) {
        const struct planet *b = &bodies[i];
        e += 0.5 * b->mass * dot(b->vel, b->vel);
        for (j = i + 1; j < NBODIES; j++) {
            const struct planet *b2 = &bodies[j];
            double d2 = SQR(b->pos[0] - b2->pos[0]) + SQR(b->pos[1] - b2->pos[1]) +
                        SQR(b->pos[2] - b2->pos[2]);
            e -= (b->mass * b2->mass) / sqrt(d2);
        }
    }
    return e;
}

static void offset_momentum(struct planet *bodies)
{
    vec3 p = {0.0, 0.0, 0.0};
    int i;
    FOR_BODIES(i) {
        axpy(p, bodies[i].mass, bodies[i].vel);
    }
    bodies[0].vel[0] = -p[0] / SOLAR_MASS;
    bodies[0].vel[1] = -p[1] / SOLAR_MASS;
    bodies[0].vel[2] = -p[2] / SOLAR_MASS;
}

static void init_bodies(struct planet *bodies)
{
    static const struct planet start[NBODIES] = {
        {{0, 0, 0}, {0, 0, 0}, SOLAR_MASS},
        {{4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01},
         {1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
          -6.90460016972063023e-05 * DAYS_PER_YEAR},
         9.54791938424326609e-04 * SOLAR_MASS},
        {{8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01},
         {-2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
          2.30417297573763929e-05 * DAYS_PER_YEAR},
         2.85885980666130812e-04 * SOLAR_MASS},
        {{1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01},
         {2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
          -2.96589568540237556e-05 * DAYS_PER_YEAR},
         4.36624404335156298e-05 * SOLAR_MASS},
        {{1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01},
         {2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
          -9.51592254519715870e-05 * DAYS_PER_YEAR},
         5.15138902046611451e-05 * SOLAR_MASS},
    };
    int i;
    FOR_BODIES(i) {
        bodies[i] = start[i];
    }
}

static int steps_for(int argc, char **argv)
{
#ifdef NBODY_LONG
#define STEPS 1000000
#else
#define STEPS 20000
#endif
    return argc > 1 ? atoi(argv[1]) : STEPS;
}

int main(int argc, char **argv)
{
    struct planet bodies[NBODIES];
    int n = steps_for(argc, argv);
    int i;
    init_bodies(bodies);
    offset_momentum(bodies);
    printf("%.9f\n", energy(bodies));
    for (i = 0; i < n; i++)
        advance(bodies, 0.01);
    printf("%.9f\n", energy(bodies));
    printf("steps %d\n", n);
    return 0;
}
