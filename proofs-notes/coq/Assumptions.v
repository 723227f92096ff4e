(* The main theorems and the axioms they depend on.  The build (proofs-notes/CMakeLists.txt,
   test coq_proofs) requires every Print Assumptions below to answer
   "Closed under the global context": no axiom, no unfinished proof. *)

From mathcomp Require Import ssreflect ssrnat bigop ssralg matrix.
From SelgradProofs Require Import Lemma1 Algorithm2 Examples.

Local Open Scope ring_scope.

Check lemma1.
Print Assumptions lemma1.

Check backward_eq_forward.
Print Assumptions backward_eq_forward.

Check backward_eq_forward_last.
Print Assumptions backward_eq_forward_last.

Print Assumptions relu2_at_zero.
Print Assumptions zero_at_zero.
