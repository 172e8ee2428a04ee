from fractions import Fraction as F
import numpy as np
pts=[F(0),F(1),F(-1),F(2),F(-2),F(1,2),F(-1,2),F(3),F(-3),F(1,3),F(-1,3),F(4),F(-4)]
def polyroots(roots):
    c=[F(1)]
    for r in roots:
        n=[F(0)]*(len(c)+1)
        for i,a in enumerate(c):
            n[i+1]+=a; n[i]-=a*r
        c=n
    return c
def ct(m,r=3):
    a=m+r-1; p=pts[:a-1]
    AT=[[p[j]**i for j in range(a-1)]+[F(1) if i==m-1 else F(0)] for i in range(m)]
    N=[np.prod([p[j]-p[l] for l in range(a-1) if l!=j]) for j in range(a-1)]
    G=[[p[j]**k/N[j] for k in range(r)] for j in range(a-1)]+[[F(1) if k==r-1 else F(0) for k in range(r)]]
    BT=[]
    for j in range(a-1):
        c=polyroots([p[l] for l in range(a-1) if l!=j]); BT.append(c+[F(0)]*(a-len(c)))
    c=polyroots(p); BT.append(c)
    return [np.array([[float(x) for x in row] for row in M]) for M in (AT,G,BT)]
rng=np.random.default_rng(0)
for m in (2,4,6,7,8):
    AT,G,BT=[M.astype(np.float64) for M in ct(m)]
    a=m+2
    # check exactness in f64
    C=256; errs=[]
    for trial in range(20):
        d=rng.uniform(-1,1,(C,a,a)); g=rng.uniform(-1,1,(C,3,3))
        ref=np.zeros((m,m))
        for i in range(m):
            for j in range(m):
                ref[i,j]=np.sum(d[:,i:i+3,j:j+3]*g)
        scale=np.sum(np.abs(g))*1.0
        d32=d.astype(np.float32); g32=g.astype(np.float32)
        f=lambda M: M.astype(np.float32)
        U=np.einsum('ij,cjk,lk->cil',f(G),g32,f(G)).astype(np.float32)
        V=np.einsum('ij,cjk,lk->cil',f(BT),d32,f(BT)).astype(np.float32)
        Mm=np.sum(U*V,axis=0,dtype=np.float32)
        y=(f(AT)@Mm@f(AT).T).astype(np.float32)
        errs.append(np.max(np.abs(y-ref))/scale)
    print(m, "max scaled err %.2e"%max(errs))
print("--- alternatives for m=7")
base=[F(0),F(1),F(-1),F(2),F(-2),F(1,2),F(-1,2)]
for extra in [F(3),F(-3),F(1,3),F(1,4),F(-1,4),F(3,2),F(-3,2),F(4),F(2,3)]:
    pts[:8]=base+[extra]
    AT,G,BT=ct(7); m=7; a=9
    errs=[]
    for trial in range(10):
        d=rng.uniform(-1,1,(256,a,a)); g=rng.uniform(-1,1,(256,3,3))
        ref=np.array([[np.sum(d[:,i:i+3,j:j+3]*g) for j in range(m)] for i in range(m)])
        f=lambda M: M.astype(np.float32)
        U=np.einsum('ij,cjk,lk->cil',f(G),g.astype(np.float32),f(G)).astype(np.float32)
        V=np.einsum('ij,cjk,lk->cil',f(BT),d.astype(np.float32),f(BT)).astype(np.float32)
        y=(f(AT)@np.sum(U*V,axis=0,dtype=np.float32)@f(AT).T)
        errs.append(np.max(np.abs(y-ref))/np.sum(np.abs(g)))
    print(extra, "%.2e"%max(errs))
