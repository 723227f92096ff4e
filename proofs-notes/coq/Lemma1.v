(* Lemma 1 of Bolte & Pauwels (2020), claim L1 of docs/math.md, as a matrix identity.

   Indices are 0-based here: the paper's node k (1 <= k <= m) is our k-1, so the paper's
   product over k = p+1 .. m is our product over p <= k < m, and P_p keeps the coordinates
   i < p.  With e_k the k-th basis column vector, the identity is

     P_p (I - e_p e_p^T + d_p e_p^T) ... (I - e_(m-1) e_(m-1)^T + d_(m-1) e_(m-1)^T)
       = P_p (I + d_p e_p^T) ... (I + d_(m-1) e_(m-1)^T).

   It holds over any ring (commutativity is not used), for every m and p (the paper's
   0 < p < m is not needed: for p >= m both products are empty) and for arbitrary vectors
   d_k: no support hypothesis on d_k is needed.

   Key step: the right-hand prefix products leave e_k alone.  For j <> k,
   (I + d_j e_j^T) e_k = e_k + d_j (e_j^T e_k) = e_k, hence
   P_p (I + d_p e_p^T) ... (I + d_(k-1) e_(k-1)^T) e_k = P_p e_k = 0   (k >= p),
   so the extra term - e_k e_k^T of the k-th left-hand factor contributes nothing. *)

From mathcomp Require Import ssreflect ssrfun ssrbool eqtype ssrnat seq choice fintype.
From mathcomp Require Import bigop ssralg matrix.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory.
Local Open Scope ring_scope.

Section Lemma1.

Variable R : ringType.
Variable m : nat.

(* e k: the k-th basis column vector of R^m (the zero vector when k >= m). *)
Definition e (k : nat) : 'cV[R]_m := \col_(i < m) ((i : nat) == k)%:R.

(* For k < m, e k is MathComp's basis column vector delta_mx k ord0. *)
Lemma e_delta (k : 'I_m) : e k = delta_mx k ord0.
Proof. by apply/matrixP=> i j; rewrite !mxE ord1 eqxx andbT. Qed.

(* P p: the m x m diagonal matrix with ones on the first p diagonal entries. *)
Definition P (p : nat) : 'M[R]_m := \matrix_(i < m, j < m) ((i == j) && (i < p))%:R.

(* Ordered products of m x m matrices, written \big[mulmx/1%:M]_(p <= k < n) F k
   = F p *m F (p+1) *m ... *m F (n-1).  Matrix multiplication is a monoid law. *)
Canonical mulmx_monoid := Monoid.Law (@mulmxA R m m m m) (@mul1mx R m m) (@mulmx1 R m m).

Lemma eT_e (j k : nat) : j != k -> (e j)^T *m e k = 0.
Proof.
move=> jk; apply/matrixP=> a b; rewrite !mxE big1 // => i _; rewrite !mxE.
by case: (eqVneq (i : nat) j) => [->|_]; rewrite ?(negPf jk) ?mulr0 ?mul0r.
Qed.

(* (I + d e_j^T) fixes e_k when j <> k. *)
Lemma N_fix (d : 'cV[R]_m) (j k : nat) : j != k -> (1%:M + d *m (e j)^T) *m e k = e k.
Proof. by move=> jk; rewrite mulmxDl mul1mx -mulmxA eT_e // mulmx0 addr0. Qed.

(* A product of factors (I + d_j e_j^T) with j < n fixes e_k for every k >= n. *)
Lemma prod_N_fix (d : nat -> 'cV[R]_m) (p n k : nat) : n <= k ->
  \big[mulmx/1%:M]_(p <= j < n) (1%:M + d j *m (e j)^T) *m e k = e k.
Proof.
move=> nk; rewrite big_nat_cond.
elim/big_rec: _ => [|j A /andP[/andP[_ jn] _] IH]; first by rewrite mul1mx.
by rewrite -mulmxA IH N_fix // neq_ltn (leq_trans jn nk).
Qed.

(* P_p e_k = 0 for k >= p. *)
Lemma P_e (p k : nat) : p <= k -> P p *m e k = 0.
Proof.
move=> pk; apply/matrixP=> a b; rewrite !mxE big1 // => i _; rewrite !mxE.
case: (eqVneq (i : nat) k) => [ik|_]; last by rewrite mulr0.
case: (eqVneq a i) => [ai|_]; last by rewrite mul0r.
by rewrite ai ik ltnNge pk andbF mul0r.
Qed.

(* Each left-hand factor is the right-hand one minus e_k e_k^T. *)
Lemma factorE (d : 'cV[R]_m) (k : nat) :
  1%:M - e k *m (e k)^T + d *m (e k)^T = (1%:M + d *m (e k)^T) - e k *m (e k)^T.
Proof. by rewrite addrAC. Qed.

(* The identity for the products over p <= k < n, by induction on n. *)
Lemma lemma1_upto (p n : nat) (d : nat -> 'cV[R]_m) : p <= n ->
  P p *m \big[mulmx/1%:M]_(p <= k < n) (1%:M - e k *m (e k)^T + d k *m (e k)^T)
  = P p *m \big[mulmx/1%:M]_(p <= k < n) (1%:M + d k *m (e k)^T).
Proof.
elim: n => [|n IH]; first by move=> p0; rewrite !big_geq.
rewrite leq_eqVlt => /orP[/eqP->|]; first by rewrite !big_geq.
rewrite ltnS => pn; rewrite !big_nat_recr //= !mulmxA IH //.
(* P (N_p ... N_(n-1)) (N_n - e_n e_n^T): the product P N_p ... N_(n-1) kills e_n. *)
rewrite factorE mulmxBr mulmxA -(mulmxA (P p) _ (e n)) prod_N_fix // P_e //.
by rewrite mul0mx subr0.
Qed.

(* Lemma 1 (L1), for every m, every p and every d_p .. d_(m-1) in R^m. *)
Theorem lemma1 (p : nat) (d : nat -> 'cV[R]_m) :
  P p *m \big[mulmx/1%:M]_(p <= k < m) (1%:M - e k *m (e k)^T + d k *m (e k)^T)
  = P p *m \big[mulmx/1%:M]_(p <= k < m) (1%:M + d k *m (e k)^T).
Proof.
case: (leqP p m) => [pm|mp]; first exact: lemma1_upto.
by rewrite !big_geq // ltnW.
Qed.

End Lemma1.
