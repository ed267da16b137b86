# Rule: class statements reach the members of the class (an allkg rule, not OWL 2 RL).
# Why: a source that says something of a drug class as a whole ("their common side effects are generally
# mild") is curated once, with the class as subject (drugclass/...). Each drug the source names as a member
# (allkg:memberOfClass) gets its own copy of the statement: same predicate, object, qualifiers, source,
# section and evidence level, marked allkg:statedOfClass with the class, so that every drug-level question
# sees it and every answer can show that the source spoke of the class, not of this drug. The direct triple
# follows too. The copy's IRI extends the class statement's IRI with the drug's id, so it is the same on
# every run and the rule adds nothing the second time.
PREFIX allkg: <https://w3id.org/allkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
INSERT {
  ?copy rdf:subject ?drug ; allkg:statedOfClass ?class ; ?property ?value .
  ?drug ?predicate ?object .
}
WHERE {
  ?drug allkg:memberOfClass ?class .
  ?statement a rdf:Statement ; rdf:subject ?class ; rdf:predicate ?predicate ; rdf:object ?object ;
             ?property ?value .
  FILTER (?predicate != allkg:memberOfClass && ?property NOT IN (rdf:subject, allkg:statedOfClass))
  BIND (IRI(CONCAT(STR(?statement), "-", REPLACE(STRAFTER(STR(?drug), "https://w3id.org/allkg/"), "/", "-"))) AS ?copy)
}
