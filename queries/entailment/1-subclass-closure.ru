# Rule: scm-sco (OWL 2 RL) - rdfs:subClassOf is transitive.
# Why: "is a kind of" questions then need one triple pattern, not a property path.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?class rdfs:subClassOf ?ancestor }
WHERE { ?class rdfs:subClassOf/rdfs:subClassOf+ ?ancestor . FILTER (?class != ?ancestor) }
