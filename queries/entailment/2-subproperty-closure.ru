# Rule: scm-spo (OWL 2 RL) - rdfs:subPropertyOf is transitive.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?property rdfs:subPropertyOf ?ancestor }
WHERE { ?property rdfs:subPropertyOf/rdfs:subPropertyOf+ ?ancestor . FILTER (?property != ?ancestor) }
